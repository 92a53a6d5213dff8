// The phone line's health on the board: polls /api/phone-line every 15 seconds; the line's state in a chip
// (when Vapi last reached the server, whether texts go out, texts waiting) and any problem in a banner.
(() => {
  "use strict";
  const POLL_MS = 15000;
  const url = document.body.dataset.phoneLineUrl;
  const chip = document.getElementById("phone-line");
  const banner = document.getElementById("phone-line-banner");

  function show(health) {
    const vapi = health.vapiLastSeenSpoken ? `Calls reached us ${health.vapiLastSeenSpoken}` : "No calls yet today";
    const texts = health.textsGoingOut ? "texts going out" : "texts FAILING";
    chip.textContent = `${vapi} · ${texts} · ${health.backlog} waiting`;
    chip.classList.toggle("alert", !health.textsGoingOut);
    banner.replaceChildren(...health.problems.map((sentence) => {
      const line = document.createElement("p");
      line.textContent = sentence;
      return line;
    }));
    banner.hidden = health.problems.length === 0;
    document.body.dataset.phoneLine = "loaded";
  }

  async function poll() {
    try {
      const response = await fetch(url, {headers: {"Accept": "application/json"}, cache: "no-store",
                                         credentials: "same-origin"});
      if (response.ok) show(await response.json());
    } catch (error) {
      // the board's own chip already says when the server cannot be reached
    }
    setTimeout(poll, POLL_MS);
  }

  if (url && chip && banner) poll();
})();
