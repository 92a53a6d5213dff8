// Messages the phone assistant took for the shop (a caller wanted a person and nobody answered): shown above the
// orders until someone taps "Called back". Polls /api/call-messages; its own file so the board's script stays as is.
(() => {
  "use strict";
  const POLL_MS = 10000;
  const box = document.getElementById("call-messages");
  if (!box) return;
  const csrf = document.querySelector('meta[name="csrf-token"]').content;

  function el(tag, className, text) {
    const node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined) node.textContent = text;
    return node;
  }

  function item(message) {
    const node = el("article", message.allergy ? "call-message allergy-message" : "call-message");
    node.dataset.message = String(message.id);
    const time = message.takenAt.slice(11, 16);
    node.append(el("strong", "", `${message.allergy ? "ALLERGY - " : ""}Call back ${message.callerName}`),
                el("span", "phone", ` ${message.phone || "no number"} (${message.reason}, ${time})`),
                el("p", "", message.message));
    const done = el("button", "action", "Called back");
    done.type = "button";
    done.addEventListener("click", () => handled(message.id));
    node.append(done);
    return node;
  }

  async function handled(id) {
    const response = await fetch(`${box.dataset.url}/${id}/handled`, {method: "POST", credentials: "same-origin",
      headers: {"Content-Type": "application/json", "Accept": "application/json", "X-CSRF-Token": csrf}});
    if (response.ok) refresh();
  }

  async function refresh() {
    try {
      const response = await fetch(box.dataset.url, {headers: {"Accept": "application/json"}, cache: "no-store",
                                                      credentials: "same-origin"});
      if (!response.ok) return;
      const waiting = (await response.json()).messages.filter((message) => !message.handled);
      box.replaceChildren(...waiting.map(item));
      box.hidden = waiting.length === 0;
    } catch (error) {
      // the board's own status chip reports a lost connection
    }
  }

  refresh();
  setInterval(refresh, POLL_MS);
})();
