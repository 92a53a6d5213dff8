// The owner's staff page: lists members, adds one (name, role, PIN), removes one after a confirmation.
(() => {
  "use strict";
  const csrf = document.querySelector('meta[name="csrf-token"]').content;
  const url = document.body.dataset.staffUrl;

  function toast(message) {
    const box = document.getElementById("toast");
    box.textContent = message;
    box.hidden = false;
    clearTimeout(toast.timer);
    toast.timer = setTimeout(() => { box.hidden = true; }, 6000);
  }

  async function call(path, payload) {
    const options = {credentials: "same-origin", headers: {"Accept": "application/json"}};
    if (payload !== undefined) {
      Object.assign(options, {method: "POST", body: JSON.stringify(payload)});
      Object.assign(options.headers, {"Content-Type": "application/json", "X-CSRF-Token": csrf});
    }
    const response = await fetch(path, options);
    const data = await response.json().catch(() => ({}));
    if (!response.ok) { toast(data.error || `That didn't work (${response.status}).`); return null; }
    return data;
  }

  function cell(text) {
    const td = document.createElement("td");
    td.textContent = text;
    return td;
  }

  function show(data) {
    document.getElementById("shared-note").hidden = !data.sharedPassword;
    document.getElementById("members").replaceChildren(...data.members.map((member) => {
      const row = document.createElement("tr");
      row.dataset.member = member.name;
      const remove = document.createElement("button");
      remove.type = "button";
      remove.className = "remove";
      remove.textContent = "Remove";
      remove.addEventListener("click", async () => {
        if (!window.confirm(`Remove ${member.name}? They are signed out everywhere.`)) return;
        const after = await call(`${url}/${member.id}/remove`, {});
        if (after) show(after);
      });
      const action = document.createElement("td");
      action.append(remove);
      row.append(cell(member.name), cell(member.role), cell(member.since), action);
      return row;
    }));
  }

  document.getElementById("add-member").addEventListener("submit", async (event) => {
    event.preventDefault();
    const form = event.target;
    const field = (name) => form.elements.namedItem(name).value;  // form.name would be the form's own name
    const data = await call(url, {name: field("name"), role: field("role"), pin: field("pin")});
    if (!data) return;
    form.reset();
    show(data);
    toast("Added.");
  });

  call(url).then((data) => { if (data) show(data); });
})();
