// The Calls page: reads /api/calls every 15 seconds and shows today's calls. Every value is set as text.
(function () {
  "use strict";
  const body = document.body;
  const url = body.dataset.callsUrl;
  const connection = document.getElementById("connection");
  const csrf = document.querySelector('meta[name="csrf-token"]').content;

  function el(tag, text, className) {
    const node = document.createElement(tag);
    if (text !== undefined && text !== null) node.textContent = text;
    if (className) node.className = className;
    return node;
  }

  function minutes(seconds) {
    if (seconds === null || seconds === undefined) return "";
    const m = Math.floor(seconds / 60), s = seconds % 60;
    return m + ":" + String(s).padStart(2, "0");
  }

  function row(call, open) {
    const tr = el("tr");
    tr.dataset.call = call.callId;
    tr.dataset.outcome = call.outcome;
    tr.append(el("td", call.startedSpoken), el("td", call.caller || "hidden number"));
    const what = el("td");
    what.append(el("span", call.outcomeLabel, "outcome outcome-" + call.outcome));
    tr.append(what);
    let order = "";
    if (call.orderNumber) order = "Order " + call.orderNumber + ", $" + call.orderTotal.toFixed(2);
    else if (call.cart) order = call.cart + " ($" + call.cartTotal.toFixed(2) + ")";
    tr.append(el("td", order), el("td", minutes(call.durationSeconds)));
    const summary = el("td", call.summary || (call.reported ? "" : "no end-of-call report yet"));
    if (call.transcript || call.recordingUrl) {
      const details = el("details");
      details.open = open.has(call.callId);  // a transcript being read stays open across refreshes
      details.append(el("summary", "Transcript and recording"));
      if (call.recordingUrl) {
        const link = el("a", "Recording");
        link.href = call.recordingUrl;
        link.rel = "noopener noreferrer";
        link.target = "_blank";
        details.append(link);
      }
      if (call.transcript) details.append(el("pre", call.transcript));
      summary.append(details);
    }
    tr.append(summary);
    return tr;
  }

  function show(data) {
    document.getElementById("call-total").textContent = data.total;
    document.getElementById("ordered-share").textContent =
      data.orderedPercent === null ? "–" : data.orderedPercent + "%";
    for (const [outcome, n] of Object.entries(data.counts)) {
      const count = document.querySelector(`[data-count="${outcome}"]`);
      if (count) count.textContent = n;
    }
    const list = document.getElementById("calls");
    const open = new Set([...list.querySelectorAll("details[open]")].map(d => d.closest("tr").dataset.call));
    list.replaceChildren(...data.calls.map(call => row(call, open)));
    document.getElementById("no-calls").hidden = data.calls.length > 0;
  }

  function callback(item, results) {
    const li = el("li", undefined, "callback" + (item.calledBackAt || item.orderedLater ? " done" : ""));
    li.dataset.call = item.callId;
    const who = el("div", undefined, "who");
    if (item.phone) {
      const tel = el("a", item.phone);
      tel.href = "tel:" + item.phone;
      who.append(tel);
    } else {
      who.append(el("span", "hidden number"));
    }
    who.append(el("span", " · " + item.startedSpoken + " · " + item.reasonLabel));
    li.append(who);
    if (item.cart) li.append(el("div", item.cart + " ($" + item.cartTotal.toFixed(2) + ")"));
    if (item.orderedLater) {
      li.append(el("div", "Ordered on a later call", "state"));
    } else if (item.calledBackAt) {
      li.append(el("div", "Called back by " + item.calledBackBy + " at " + item.calledBackAt + ": " +
                   item.outcomeLabel, "state"));
    } else if (item.phone) {
      const actions = el("div", undefined, "actions");
      for (const result of results) {
        const button = el("button", result.label);
        button.type = "button";
        button.dataset.outcome = result.name;
        button.addEventListener("click", () => record(item.callId, result.name, button));
        actions.append(button);
      }
      li.append(actions);
    }
    return li;
  }

  function showCallbacks(data) {
    document.getElementById("callbacks-waiting").textContent = data.waiting;
    document.getElementById("lost-value").textContent = "$" + data.lostValue.toFixed(2);
    document.getElementById("callbacks").replaceChildren(...data.callbacks.map(c => callback(c, data.results)));
    document.getElementById("no-callbacks").hidden = data.callbacks.length > 0;
  }

  async function record(callId, outcome, button) {
    button.disabled = true;
    try {
      const response = await fetch(`/api/calls/${encodeURIComponent(callId)}/callback`, {
        method: "POST", body: JSON.stringify({outcome}), credentials: "same-origin",
        headers: {"Content-Type": "application/json", "Accept": "application/json", "X-CSRF-Token": csrf}});
      const data = await response.json();
      if (!response.ok) throw new Error(data.error || "HTTP " + response.status);
      showCallbacks(data);
    } catch (err) {
      button.disabled = false;
      connection.textContent = String(err.message || err);
      connection.classList.add("alert");
    }
  }

  async function getJson(address) {
    const response = await fetch(address, {headers: {"Accept": "application/json"}, cache: "no-store",
                                           credentials: "same-origin"});
    if (response.status === 401) { window.location.href = body.dataset.loginUrl; return null; }
    if (!response.ok) throw new Error("HTTP " + response.status);
    return response.json();
  }

  async function refresh() {
    try {
      const [calls, callbacks] = await Promise.all([getJson(url), getJson(body.dataset.callbacksUrl)]);
      if (!calls || !callbacks) return;
      show(calls);
      showCallbacks(callbacks);
      connection.textContent = "Up to date";
      connection.classList.remove("alert");
      body.dataset.loaded = "true";
    } catch (err) {
      connection.textContent = "Can't reach the server";
      connection.classList.add("alert");
    }
  }

  refresh();
  setInterval(refresh, 15000);
})();
