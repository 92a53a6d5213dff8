// Kitchen printers on the board: their state beside the header (offline, out of paper, last printed) from
// /api/printers every 5 seconds, and a Reprint button on every order card (POST /api/orders/<number>/reprint).
// Kept apart from board.js: it only adds to the cards board.js draws.
(() => {
  "use strict";
  const POLL_MS = 5000;
  const csrf = document.querySelector('meta[name="csrf-token"]').content;
  const chip = document.getElementById("printers");
  const NAMES = {escpos: "Printer", cloudprnt: "Star printer"};
  let printing = false;  // a printer is set up: only then does a card get a Reprint button
  const STATES = {online: "ready", offline: "OFFLINE", out_of_paper: "OUT OF PAPER", error: "ERROR",
                  unknown: "not heard from yet"};

  function say(message) {
    const box = document.getElementById("toast");
    box.textContent = message;
    box.hidden = false;
    setTimeout(() => { box.hidden = true; }, 6000);
  }

  const clock = (iso) => new Date(iso).toLocaleTimeString([], {hour: "numeric", minute: "2-digit"});

  function describe(p) {
    let text = `${NAMES[p.printer] || p.printer}: ${STATES[p.state] || p.state}`;
    if (p.state !== "online" && p.detail) text += ` (${p.detail})`;
    if (p.lastPrintedAt) text += ` · last printed ${clock(p.lastPrintedAt)}`;
    if (p.waiting) text += ` · ${p.waiting} waiting`;
    return text;
  }

  async function poll() {
    try {
      const response = await fetch("/api/printers", {headers: {"Accept": "application/json"}, cache: "no-store",
                                                       credentials: "same-origin"});
      if (response.ok) {
        const {printers} = await response.json();
        chip.hidden = printers.length === 0;
        if (printing !== printers.length > 0) { printing = printers.length > 0; addButtons(); }
        chip.textContent = printers.map(describe).join(" | ");
        chip.dataset.states = printers.map((p) => p.state).join(" ");
        chip.classList.toggle("alert", printers.some((p) => p.state !== "online" && p.state !== "unknown"));
      }
    } catch (error) { /* the board's own chip says when the server is unreachable */ }
    setTimeout(poll, POLL_MS);
  }

  function addButtons() {
    document.querySelectorAll(".card").forEach((card) => {
      const foot = card.querySelector("footer");
      if (!printing || !foot || foot.querySelector("button.reprint")) return;
      if (card.dataset.status === "cancelled" || card.dataset.status === "awaiting") return;
      const button = document.createElement("button");
      button.type = "button";
      button.className = "action reprint";
      button.textContent = "Reprint";
      foot.append(button);
    });
  }

  async function reprint(button) {
    const card = button.closest(".card");
    button.disabled = true;
    const response = await fetch(`/api/orders/${encodeURIComponent(card.dataset.order)}/reprint`, {
      method: "POST", body: "{}", credentials: "same-origin",
      headers: {"Content-Type": "application/json", "Accept": "application/json", "X-CSRF-Token": csrf}});
    const data = await response.json().catch(() => ({}));
    button.disabled = false;
    say(response.ok ? `Ticket ${card.querySelector(".number").textContent} sent to the printer again.`
      : (data.error || `That didn't work (${response.status}).`));
  }

  const columns = document.querySelector("main.columns");
  new MutationObserver(addButtons).observe(columns, {childList: true, subtree: true});
  columns.addEventListener("click", (event) => {
    const button = event.target.closest("button.reprint");
    if (button) reprint(button);
  });
  addButtons();
  poll();
})();
