// The Calls page: reads /api/calls every 15 seconds and shows today's calls. Every value is set as text.
(function () {
  "use strict";
  const body = document.body;
  const url = body.dataset.callsUrl;
  const connection = document.getElementById("connection");

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

  function row(call) {
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
    list.replaceChildren(...data.calls.map(row));
    document.getElementById("no-calls").hidden = data.calls.length > 0;
  }

  async function refresh() {
    try {
      const response = await fetch(url, {headers: {"Accept": "application/json"}, cache: "no-store",
                                          credentials: "same-origin"});
      if (response.status === 401) { window.location.href = body.dataset.loginUrl; return; }
      if (!response.ok) throw new Error("HTTP " + response.status);
      show(await response.json());
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
