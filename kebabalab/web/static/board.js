// The order board: polls /api/orders every 3 seconds and shows the orders sorted by when they are due, with the
// shop's clock, minutes until due ("soon", "late"), the kitchen's lines and allergy notes that cannot be missed.
// Chimes for new orders (Web Audio, no sound file), moves orders along (Cancel behind "More", confirmed), takes
// counter orders and changes orders (priced by the server), and sets sold-out items, paused phone orders and busy
// minutes through /api/availability.
(() => {
  "use strict";
  const POLL_MS = 3000;
  const FRESH_MS = 60000;
  const SOUND_KEY = "kebabalab.board.sound";
  const body = document.body;
  const csrf = document.querySelector('meta[name="csrf-token"]').content;
  const urls = {orders: body.dataset.ordersUrl, availability: body.dataset.availabilityUrl,
                login: body.dataset.loginUrl, quote: "/api/counter/quote", counter: "/api/counter/orders"};
  let seen = null;         // order numbers on the board; null until the first answer
  const fresh = new Map(); // order number -> when it arrived, for the highlight
  let shown = "";
  let audio = null;
  let openMore = null;     // the order whose "More" is open, kept open across a redraw
  const byNumber = new Map();

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

  // -- one order's card -------------------------------------------------------------------------------
  function el(tag, className, text) {
    const node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined) node.textContent = text;
    return node;
  }

  function button(action, className) {
    const node = el("button", `action action-${action.to} ${className}`, action.label);
    node.type = "button";
    node.dataset.action = action.to;
    return node;
  }

  function head(order) {
    const top = el("header");
    top.append(el("span", "number", order.displayNumber), el("span", "name", order.customerName || "No name"));
    if (order.counter) top.append(el("span", "tag counter", "counter"));
    top.append(el("span", "state", order.status));
    const due = el("span", `due${order.due && order.due.mark ? ` due-${order.due.mark}` : ""}`);
    if (order.pickupClock) due.append(el("strong", "pickup", order.pickupClock));
    if (order.due && order.status !== "collected" && order.status !== "cancelled") {
      due.append(el("span", "minutes", order.due.text));
    }
    top.append(due);
    return top;
  }

  function lines(order) {
    const list = el("ul", "lines");
    order.lines.forEach((line) => list.append(el("li", `line kind-${line.kind} level-${line.level}`, line.text)));
    return list;
  }

  function more(order) {
    const box = el("details", "more");
    box.append(el("summary", "", "More"));
    box.open = openMore === order.orderNumber;
    box.addEventListener("toggle", () => {
      if (box.open) openMore = order.orderNumber;
      else if (openMore === order.orderNumber) openMore = null;
    });
    const inside = el("div", "more-body");
    order.actions.filter((a) => a.place === "more").forEach((a) => inside.append(button(a, "quiet")));
    if (order.history.length) {
      const history = el("ol", "history");
      order.history.forEach((e) => history.append(el("li", "", `${e.at} ${e.who}: ${e.what}`)));
      inside.append(history);
    }
    inside.append(el("p", "placed", `${order.customerPhone || "no phone"} · $${order.total.toFixed(2)}`));
    box.append(inside);
    return box;
  }

  function card(order) {
    const node = el("article", `card status-${order.status}`);
    node.dataset.order = order.orderNumber;
    node.dataset.status = order.status;
    if (order.due && order.due.mark) node.classList.add(`due-${order.due.mark}`);
    if (fresh.has(order.orderNumber)) node.classList.add("fresh");
    if (order.allergy) {
      node.classList.add("has-allergy");
      const alert = el("p", "allergy");
      alert.setAttribute("role", "alert");
      alert.append(el("strong", "", "ALLERGY"), document.createTextNode(` ${order.allergyNote}`));
      node.append(alert);
    }
    node.append(head(order), lines(order));
    if (order.status === "awaiting") {  // placed, not the kitchen's until the customer texts YES
      node.append(el("p", "awaiting", "Awaiting the customer's YES by text: don't start it"));
    }
    if (order.notes && order.notes !== order.allergyNote) node.append(el("p", "notes", `Note: ${order.notes}`));
    if (order.textProblem) node.append(el("p", "text-problem", order.textProblem));
    const foot = el("footer");
    order.actions.filter((a) => a.place === "main").forEach((a) => foot.append(button(a, "main")));
    order.actions.filter((a) => a.place === "side").forEach((a) => foot.append(button(a, "side")));
    foot.append(more(order));
    node.append(foot);
    return node;
  }

  // -- the board --------------------------------------------------------------------------------------
  function problem(order) {
    const node = el("p", "problem", `Order ${order.displayNumber} (${order.customerName || "no name"}): ${order.error}. `
                                    + "It is not on the board: tell the owner.");
    node.dataset.order = order.orderNumber;
    return node;
  }

  // The columns come from the server's status list. On a phone they become one list: orders to make first
  // (by when they are due), then those ready, then the finished ones (newest first).
  function render(data) {
    const groups = new Map(data.columns.map((column) => [column.key, []]));
    const problems = [];
    data.orders.forEach((order) => {
      if (order.column && groups.has(order.column)) groups.get(order.column).push(order);
      else problems.push(order);
    });
    groups.get("done")?.reverse();
    let rank = 0;
    const ranks = new Map();
    data.orders.filter((o) => o.status === "new" || o.status === "preparing")
      .forEach((o) => ranks.set(o.orderNumber, rank++));
    data.orders.filter((o) => o.status === "ready").forEach((o) => ranks.set(o.orderNumber, rank++));
    groups.forEach((list, key) => {
      const cards = list.map((order) => {
        const node = card(order);
        node.style.order = String(ranks.has(order.orderNumber) ? ranks.get(order.orderNumber) : 10000 + rank++);
        return node;
      });
      document.querySelector(`.cards[data-status="${key}"]`).replaceChildren(...cards);
      document.querySelector(`[data-count="${key}"]`).textContent = String(list.length);
    });
    const box = document.getElementById("problems");
    box.replaceChildren(...problems.map(problem));
    box.hidden = problems.length === 0;
    byNumber.clear();
    data.orders.forEach((order) => byNumber.set(order.orderNumber, order));
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
    document.getElementById("clock").textContent = data.clock;
    noteArrivals(data.orders);
    const state = JSON.stringify(data.orders) + [...fresh.keys()].join();
    if (state !== shown) { shown = state; render(data); }
  }

  async function move(number, payload) {
    await send(`/api/orders/${encodeURIComponent(number)}/status`, payload);
    shown = "";
    await pollOrders().catch(() => {});
  }

  // Cancel (and anything behind "More") asks first, in the page: a wet thumb on the wrong button costs nothing.
  function confirmCancel(order) {
    const dialog = document.getElementById("confirm");
    dialog.querySelector(".question").textContent =
      `Cancel order ${order.displayNumber} for ${order.customerName || "no name"}?`;
    const text = dialog.querySelector("[name=text_customer]");
    text.checked = false;
    text.closest("label").hidden = !order.customerPhone;
    dialog.dataset.order = order.orderNumber;
    dialog.dataset.from = order.status;
    dialog.showModal();
  }

  async function act(buttonNode) {
    const node = buttonNode.closest(".card");
    const order = byNumber.get(node.dataset.order);
    const action = buttonNode.dataset.action;
    if (action === "cancelled") { confirmCancel(order); return; }
    if (action === "edit") { openEdit(order); return; }
    node.querySelectorAll("button").forEach((b) => { b.disabled = true; });
    openMore = null;
    // Undo says what it saw too: a tablet that missed another's tap must not take that tap back.
    await move(order.orderNumber, {...(action === "undo" ? {undo: true} : {status: action}), from: order.status});
  }

  // -- the counter: a walk-in or a customer who phoned the shop; the server reads and prices every line ----
  const counter = {said: [], key: ""};

  function formKey() {
    const bytes = new Uint8Array(16);
    crypto.getRandomValues(bytes);
    return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
  }

  function field(form, name) { return form.elements.namedItem(name); }

  function showCounter(quoted) {
    const list = document.getElementById("counter-lines");
    list.replaceChildren(...(quoted ? quoted.lines : []).map((line, i) => {
      const item = el("li", "", `${line.quantity} × ${line.description}  $${line.lineTotal.toFixed(2)} `);
      const remove = el("button", "remove", "×");
      remove.type = "button";
      remove.setAttribute("aria-label", `Take away ${line.description}`);
      remove.addEventListener("click", () => requote(counter.said.filter((_, n) => n !== i)));
      item.append(remove);
      return item;
    }));
    document.getElementById("counter-total").textContent = quoted ? `Total $${quoted.total.toFixed(2)}` : "";
  }

  async function requote(said) {
    if (!said.length) { counter.said = []; showCounter(null); return true; }
    const quoted = await send(urls.quote, {said});
    if (!quoted) return false;
    counter.said = said;
    showCounter(quoted);
    return true;
  }

  function showKind() {
    const form = document.getElementById("counter-form");
    const phone = form.querySelector("input[name=kind][value=phone]").checked;
    form.querySelector(".for-phone").hidden = !phone;
    field(form, "name").placeholder = phone ? "Their name" : "Walk-in";
  }

  function openCounter() {
    const form = document.getElementById("counter-form");
    form.reset();
    Object.assign(counter, {said: [], key: formKey()});
    showCounter(null);
    showKind();
    document.getElementById("counter").showModal();
    field(form, "said").focus();
  }

  async function addCounterLine() {
    const input = field(document.getElementById("counter-form"), "said");
    if (!input.value.trim()) return;
    if (await requote([...counter.said, input.value.trim()])) input.value = "";
  }

  async function placeCounterOrder() {
    const form = document.getElementById("counter-form");
    if (field(form, "said").value.trim() && !(await requote([...counter.said, field(form, "said").value.trim()]))) return;
    field(form, "said").value = "";
    const kind = form.querySelector("input[name=kind]:checked").value;
    const placed = await send(urls.counter, {kind, name: field(form, "name").value, phone: field(form, "phone").value,
      pickup: field(form, "pickup").value, notes: field(form, "notes").value, said: counter.said, key: counter.key});
    if (!placed) return;
    document.getElementById("counter").close();
    toast(`Order ${placed.order.displayNumber} is on the board.`);
    shown = "";
    await pollOrders().catch(() => {});
  }

  // -- changing an order after the call -----------------------------------------------------------------
  function openEdit(order) {
    const dialog = document.getElementById("edit");
    const form = document.getElementById("edit-form");
    form.reset();
    dialog.dataset.order = order.orderNumber;
    dialog.dataset.seen = JSON.stringify(order.items.map((item) => item.description));
    dialog.querySelector(".edit-title").textContent =
      `Change order ${order.displayNumber} (${order.customerName || "no name"}), now $${order.total.toFixed(2)}`;
    document.getElementById("edit-lines").replaceChildren(...order.items.map((item, i) => {
      const label = el("label");
      const box = el("input");
      Object.assign(box, {type: "checkbox", name: "remove", value: String(i)});
      label.append(box, document.createTextNode(` take away ${item.quantity} × ${item.description}`));
      const line = el("li");
      line.append(label);
      return line;
    }));
    form.querySelector(".edit-text").hidden = !order.customerPhone;
    dialog.showModal();
  }

  async function saveEdit() {
    const dialog = document.getElementById("edit");
    const form = document.getElementById("edit-form");
    const add = field(form, "add").value.trim();
    const remove = [...form.querySelectorAll("input[name=remove]:checked")].map((box) => Number(box.value));
    const changed = await send(`/api/orders/${encodeURIComponent(dialog.dataset.order)}/lines`,
      {add: add ? [add] : [], remove, textCustomer: field(form, "text_customer").checked,
       seen: JSON.parse(dialog.dataset.seen)});
    if (!changed) return;
    dialog.close();
    toast(`Order ${changed.order.displayNumber}: $${changed.oldTotal.toFixed(2)} → $${changed.newTotal.toFixed(2)}`
          + (changed.customerTexted ? ", customer texted." : "."));
    shown = "";
    await pollOrders().catch(() => {});
  }

  // -- sold out, pause, busy --------------------------------------------------------------------------
  function showAvailability(state) {
    const out = new Set(state.soldOut);
    document.querySelectorAll("button.sold-out").forEach((b) => {
      b.setAttribute("aria-pressed", String(out.has(`${b.dataset.kind}:${b.dataset.name}`)));
    });
    document.querySelectorAll("button.busy").forEach((b) => {
      b.setAttribute("aria-pressed", String(Number(b.dataset.busy) === state.busyMinutes));
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

  async function changeAvailability(toggle) {
    const pressed = toggle.getAttribute("aria-pressed") === "true";
    let payload;
    if (toggle.id === "pause") payload = {paused: !pressed};
    else if (toggle.dataset.busy !== undefined) payload = {busyMinutes: Number(toggle.dataset.busy)};
    else payload = {kind: toggle.dataset.kind, name: toggle.dataset.name, soldOut: !pressed};
    const state = await send(urls.availability, payload);
    if (state) showAvailability(state);
  }

  // -- the loop ---------------------------------------------------------------------------------------
  function showConnection(ok) {
    const chip = document.getElementById("connection");
    chip.textContent = ok ? "Live" : "Offline: retrying";
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
      const target = event.target.closest("button[data-action]");
      if (target) act(target);
    });
    const dialog = document.getElementById("confirm");
    dialog.addEventListener("close", () => {
      openMore = null;  // kept or cancelled, the card folds its "More" away again
      document.querySelectorAll(".card .more[open]").forEach((box) => { box.open = false; });
      if (dialog.returnValue !== "cancel-order") return;
      const text = dialog.querySelector("[name=text_customer]").checked;
      move(dialog.dataset.order, {status: "cancelled", from: dialog.dataset.from, textCustomer: text});
    });
    document.getElementById("counter-open").addEventListener("click", openCounter);
    document.getElementById("counter-add").addEventListener("click", addCounterLine);
    document.getElementById("counter-place").addEventListener("click", placeCounterOrder);
    document.getElementById("counter-form").addEventListener("change", showKind);
    document.querySelector("#counter-form input[name=said]").addEventListener("keydown", (event) => {
      if (event.key === "Enter") { event.preventDefault(); addCounterLine(); }
    });
    document.getElementById("edit-save").addEventListener("click", saveEdit);
    document.getElementById("kitchen").addEventListener("click", (event) => {
      const toggle = event.target.closest("button.toggle");
      if (toggle) changeAvailability(toggle);
    });
    if (navigator.wakeLock) navigator.wakeLock.request("screen").catch(() => {});
    poll();
  }

  start();
})();
