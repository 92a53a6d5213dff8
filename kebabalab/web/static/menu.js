// The owner's menu page: draws /api/menu, and sends a price, hide/show or a new item to /api/menu/*.
// Every change names the version the page showed; a change made meanwhile on another screen is refused (409).
(() => {
  "use strict";
  const csrf = document.querySelector('meta[name="csrf-token"]').content;
  const menuUrl = document.body.dataset.menuUrl;
  let menu = null;

  function el(tag, className, text) {
    const node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined) node.textContent = text;
    return node;
  }

  function toast(message) {
    const box = document.getElementById("toast");
    box.textContent = message;
    box.hidden = false;
    clearTimeout(toast.timer);
    toast.timer = setTimeout(() => { box.hidden = true; }, 8000);
  }

  async function send(path, payload) {
    const response = await fetch(`/api/menu/${path}`, {method: "POST", credentials: "same-origin",
      body: JSON.stringify({version: menu.version, ...payload}),
      headers: {"Content-Type": "application/json", "Accept": "application/json", "X-CSRF-Token": csrf}});
    const data = await response.json().catch(() => ({}));
    if (!response.ok) { toast(data.error || `That didn't work (${response.status}).`); return false; }
    toast(`Saved: ${data.changed}.`);
    show(data);
    return true;
  }

  function priceInput(item, size) {
    const input = el("input", "price");
    input.inputMode = "decimal";
    input.value = (size ? item.prices[size] : item.price).toFixed(2);
    input.dataset.item = item.id;
    if (size) input.dataset.size = size;
    input.setAttribute("aria-label", `${size ? size + " " : ""}${item.name} price in dollars`);
    return input;
  }

  function row(item) {
    const node = el("div", `menu-row${item.hidden ? " hidden-item" : ""}`);
    node.dataset.item = item.id;
    node.append(el("span", "name", item.name));
    const sizes = item.prices ? Object.keys(item.prices) : [null];
    sizes.forEach((size) => {
      const label = el("label", "", size ? `${size} $` : "$");
      const input = priceInput(item, size);
      const save = el("button", "toggle save", "Save");
      save.type = "button";
      save.addEventListener("click", () => send("price", {itemId: item.id, size, price: input.value}));
      label.append(input);
      node.append(label, save);
    });
    const hide = el("button", "toggle hide", item.hidden ? "Show" : "Hide");
    hide.type = "button";
    hide.setAttribute("aria-pressed", String(item.hidden));
    hide.addEventListener("click", () => send("hidden", {itemId: item.id, hidden: !item.hidden}));
    node.append(hide);
    return node;
  }

  function show(data) {
    menu = data;
    document.getElementById("menu-version").textContent = `Menu version ${data.version}`;
    const main = document.getElementById("menu-items");
    main.replaceChildren(...data.categories.filter((c) => data.items.some((i) => i.category === c)).map((c) => {
      const section = el("section", "menu-category");
      section.dataset.category = c;
      section.append(el("h2", "", c.replace("_", " ")), ...data.items.filter((i) => i.category === c).map(row));
      return section;
    }));
    const select = document.getElementById("add-category");
    if (!select.options.length) {
      data.categories.forEach((c) => select.append(new Option(c.replace("_", " "), c)));
      showAddPrices();
    }
    document.getElementById("menu-history").replaceChildren(...data.history.map((h) =>
      el("li", "", `v${h.version} ${new Date(h.at).toLocaleString()} · ${h.by}: ${h.change}`)));
  }

  function showAddPrices() {
    const category = document.getElementById("add-category").value;
    const sized = menu.items.some((i) => i.category === category && i.prices);
    const box = document.getElementById("add-prices");
    box.replaceChildren(...(sized ? ["small", "large"] : [null]).map((size) => {
      const label = el("label", "", size ? `${size} $` : "Price $");
      const input = el("input", "price");
      input.inputMode = "decimal";
      input.name = size || "price";
      input.required = true;
      label.append(input);
      return label;
    }));
    const deal = document.getElementById("add-meal-deal");
    const deals = menu.mealDeals[category] || [];
    deal.hidden = deals.length === 0;
    deal.querySelector("span").textContent = `Comes with the ${category} meal deal (${deals.join(", ")})`;
    document.getElementById("add-meal").checked = false;
  }

  async function addItem(event) {
    event.preventDefault();
    const form = event.target;
    const payload = {category: form.category.value, name: form.name.value, mealDeal: form.mealDeal.checked};
    if (form.small) payload.prices = {small: form.small.value, large: form.large.value};
    else payload.price = form.price.value;
    const ticked = [...form.querySelectorAll("input[name=allergen]:checked")].map((box) => box.value);
    payload.allergens = form.unconfirmed.checked ? "unconfirmed" : ticked;
    if (await send("items", payload)) { form.reset(); showAddPrices(); }
  }

  async function start() {
    const response = await fetch(menuUrl, {headers: {"Accept": "application/json"}, credentials: "same-origin",
                                           cache: "no-store"});
    const data = await response.json().catch(() => ({}));
    if (!response.ok) { toast(data.error || `The menu did not load (${response.status}).`); return; }
    show(data);
    document.getElementById("add-category").addEventListener("change", showAddPrices);
    document.getElementById("add-item").addEventListener("submit", addItem);
    document.getElementById("add-allergens").addEventListener("change", (event) => {
      if (event.target.name === "allergen" && event.target.checked) {
        document.getElementById("add-unconfirmed").checked = false;
      }
    });
    document.body.dataset.loaded = "true";
  }

  start();
})();
