// The order board: polls /api/orders every 3 seconds, chimes for new orders (Web Audio, no sound file),
// moves orders along, and sets sold-out items, paused phone orders and busy minutes through /api/availability.
(() => {
  "use strict";
  const POLL_MS = 3000;
  const FRESH_MS = 60000;
  const SOUND_KEY = "kebabalab.board.sound";
  const body = document.body;
  const csrf = document.querySelector('meta[name="csrf-token"]').content;
  const urls = {orders: body.dataset.ordersUrl, availability: body.dataset.availabilityUrl,
                login: body.dataset.loginUrl};
  const ACTIONS = {
    new: [["preparing", "Start"], ["cancelled", "Cancel"]],
    preparing: [["ready", "Ready: text customer"], ["undo", "Undo"], ["cancelled", "Cancel"]],
    ready: [["collected", "Collected"], ["undo", "Undo"]],
    collected: [["undo", "Undo"]],
    cancelled: [["undo", "Undo"]],
  };
  let seen = null;        // order numbers on the board; null until the first answer
  const fresh = new Map(); // order number -> when it arrived, for the highlight
  let shown = "";
  let audio = null;

  // -- sound ------------------------------------------------------------------------------------------
  const soundOn = () => localStorage.getItem(SOUND_KEY) !== "off";

  function showSound() {
    const button = document.getElementById("sound");
    button.setAttribute("aria-pressed", String(soundOn()));
    button.textContent = soundOn() ? "Sound on" : "Sound off";
  }

  function audioContext() {
    const Context = window.AudioContext || window.webkitAudioContext;
    if (!Context) return null;
    audio = audio || new Context();
    if (audio.state === "suspended") audio.resume().catch(() => {});
    return audio;
  }

  function chime() {
    body.dataset.chimes = String(Number(body.dataset.chimes || 0) + 1);
    if (!soundOn()) return;
    const context = audioContext();
    if (!context) return;
    [880, 1175, 1568].forEach((frequency, i) => {
      const start = context.currentTime + i * 0.18;
      const tone = context.createOscillator();
      const gain = context.createGain();
      tone.type = "sine";
      tone.frequency.value = frequency;
      gain.gain.setValueAtTime(0.0001, start);
      gain.gain.exponentialRampToValueAtTime(0.5, start + 0.02);
      gain.gain.exponentialRampToValueAtTime(0.0001, start + 0.6);
      tone.connect(gain).connect(context.destination);
      tone.start(start);
      tone.stop(start + 0.65);
    });
  }

  // -- talking to the server --------------------------------------------------------------------------
  function toast(message) {
    const box = document.getElementById("toast");
    box.textContent = message;
    box.hidden = false;
    clearTimeout(toast.timer);
    toast.timer = setTimeout(() => { box.hidden = true; }, 6000);
  }

  async function send(url, payload) {
    const response = await fetch(url, {method: "POST", body: JSON.stringify(payload), credentials: "same-origin",
      headers: {"Content-Type": "application/json", "Accept": "application/json", "X-CSRF-Token": csrf}});
    if (response.status === 401) { location.assign(urls.login); return null; }
    const data = await response.json().catch(() => ({}));
    if (!response.ok) { toast(data.error || `That didn't work (${response.status}).`); return null; }
    return data;
  }

  async function load(url) {
    const response = await fetch(url, {headers: {"Accept": "application/json"}, cache: "no-store",
                                       credentials: "same-origin"});
    if (response.status === 401) { location.assign(urls.login); throw new Error("signed out"); }
    if (!response.ok) throw new Error(`HTTP ${response.status}`);
    return response.json();
  }

  // -- orders -----------------------------------------------------------------------------------------
  function el(tag, className, text) {
    const node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined) node.textContent = text;
    return node;
  }

  function card(order) {
    const node = el("article", `card status-${order.status}`);
    node.dataset.order = order.orderNumber;
    node.dataset.status = order.status;
    if (fresh.has(order.orderNumber)) node.classList.add("fresh");
    const head = el("header");
    head.append(el("span", "number", order.displayNumber), el("span", "name", order.customerName || "No name"),
                el("span", "pickup", order.pickupSpoken ? `pickup ${order.pickupSpoken}` : ""));
    const items = el("ul", "items");
    order.items.forEach((item) => items.append(el("li", "", `${item.quantity} × ${item.description}`)));
    node.append(head, items);
    if (order.allergyNote) node.append(el("p", "allergy", `ALLERGY: ${order.allergyNote}`));
    if (order.notes) node.append(el("p", "notes", `Notes: ${order.notes}`));
    if (order.textProblem) node.append(el("p", "text-problem", order.textProblem));
    const foot = el("footer");
    foot.append(el("span", "total", `$${order.total.toFixed(2)}`));
    if (order.status === "collected" || order.status === "cancelled") foot.append(el("span", "tag", order.status));
    (ACTIONS[order.status] || []).forEach(([action, label]) => {
      const button = el("button", `action action-${action}`, label);
      button.type = "button";
      button.dataset.action = action;
      foot.append(button);
    });
    node.append(foot);
    return node;
  }

  function render(orders) {
    const groups = {new: [], preparing: [], ready: [], done: []};
    orders.forEach((order) => (groups[order.status] || groups.done).push(order));
    Object.entries(groups).forEach(([status, list]) => {
      document.querySelector(`.cards[data-status="${status}"]`).replaceChildren(...list.map(card));
      document.querySelector(`[data-count="${status}"]`).textContent = String(list.length);
    });
  }

  function noteArrivals(orders) {
    const numbers = orders.map((order) => order.orderNumber);
    const now = Date.now();
    if (seen !== null) {
      const arrived = numbers.filter((number) => !seen.has(number));
      arrived.forEach((number) => fresh.set(number, now));
      if (arrived.length) chime();
    }
    seen = new Set(numbers);
    fresh.forEach((at, number) => { if (now - at > FRESH_MS) fresh.delete(number); });
  }

  async function pollOrders() {
    const data = await load(urls.orders);
    noteArrivals(data.orders);
    const state = JSON.stringify(data.orders) + [...fresh.keys()].join();
    if (state !== shown) { shown = state; render(data.orders); }
  }

  async function changeStatus(button) {
    const node = button.closest(".card");
    const action = button.dataset.action;
    const number = node.querySelector(".number").textContent;
    if (action === "cancelled" && !window.confirm(`Cancel order ${number}?`)) return;
    node.querySelectorAll("button").forEach((b) => { b.disabled = true; });
    const payload = action === "undo" ? {undo: true} : {status: action, from: node.dataset.status};
    await send(`/api/orders/${encodeURIComponent(node.dataset.order)}/status`, payload);
    shown = "";
    await pollOrders().catch(() => {});
  }

  // -- sold out, pause, busy --------------------------------------------------------------------------
  function showAvailability(state) {
    const out = new Set(state.soldOut);
    document.querySelectorAll("button.sold-out").forEach((button) => {
      button.setAttribute("aria-pressed", String(out.has(`${button.dataset.kind}:${button.dataset.name}`)));
    });
    document.querySelectorAll("button.busy").forEach((button) => {
      button.setAttribute("aria-pressed", String(Number(button.dataset.busy) === state.busyMinutes));
    });
    const pause = document.getElementById("pause");
    pause.setAttribute("aria-pressed", String(state.paused));
    pause.textContent = state.paused ? "Phone orders paused: tap to resume" : "Pause phone orders";
    const line = document.getElementById("line-state");
    line.textContent = state.paused ? "Phone orders paused"
      : state.busyMinutes ? `Busy +${state.busyMinutes} min` : "Phone orders on";
    line.classList.toggle("alert", state.paused || state.busyMinutes > 0);
    const names = state.soldOut.map((mark) => mark.split(":").slice(1).join(":"));
    document.getElementById("kitchen-summary").textContent = names.length ? `(sold out: ${names.join(", ")})` : "";
  }

  async function pollAvailability() {
    showAvailability(await load(urls.availability));
  }

  async function changeAvailability(button) {
    const pressed = button.getAttribute("aria-pressed") === "true";
    let payload;
    if (button.id === "pause") payload = {paused: !pressed};
    else if (button.dataset.busy !== undefined) payload = {busyMinutes: Number(button.dataset.busy)};
    else payload = {kind: button.dataset.kind, name: button.dataset.name, soldOut: !pressed};
    const state = await send(urls.availability, payload);
    if (state) showAvailability(state);
  }

  // -- the loop ---------------------------------------------------------------------------------------
  function showConnection(ok) {
    const chip = document.getElementById("connection");
    chip.textContent = ok ? `Updated ${new Date().toLocaleTimeString([], {hour: "numeric", minute: "2-digit"})}`
      : "Offline: retrying";
    chip.classList.toggle("alert", !ok);
  }

  async function poll() {
    try {
      await Promise.all([pollOrders(), pollAvailability()]);
      showConnection(true);
      body.dataset.loaded = "true";
    } catch (error) {
      showConnection(false);
    }
    setTimeout(poll, POLL_MS);
  }

  function start() {
    showSound();
    document.getElementById("sound").addEventListener("click", () => {
      localStorage.setItem(SOUND_KEY, soundOn() ? "off" : "on");
      showSound();
      if (soundOn()) chime();
    });
    // Browsers start audio only after a tap: the first tap anywhere unlocks the chime.
    document.addEventListener("pointerdown", () => { if (soundOn()) audioContext(); }, {once: true});
    document.querySelector("main.columns").addEventListener("click", (event) => {
      const button = event.target.closest("button[data-action]");
      if (button) changeStatus(button);
    });
    document.getElementById("kitchen").addEventListener("click", (event) => {
      const button = event.target.closest("button.toggle");
      if (button) changeAvailability(button);
    });
    if (navigator.wakeLock) navigator.wakeLock.request("screen").catch(() => {});
    poll();
  }

  start();
})();
