// MediaForge.Credits <credit-purchase> (loaded by credits.js).
import { api, baseStyle, number, notifyCreditsChanged, walletOf } from "./credits-core.js";
import { AutoTopUpSection, autoTopUpStyle } from "./credit-auto-top-up.js";

/**
 * <credit-purchase api-base="/api" wallet="team:{id}">: the credit packs with price, credits and a "Most popular"
 * badge; the free starter can be claimed once; Buy starts Checkout and redirects. A pack with volume tiers lists them
 * with what each saves, and takes a number of packs: the server quotes their price (the widget never computes one). With wallet="team:{id}" the paid
 * packs are bought for that team's wallet (owners and admins; free packs are not shown). On return
 * (?checkout=success&session_id=...) it asks the checkout-session endpoint (which fulfils if paid) and shows a
 * confirmation. Below the packs, an auto top-up section (credit-auto-top-up.js) saves the wallet's threshold, pack
 * and monthly caps, and can keep the card of the next purchase for it.
 */
export class CreditPurchase extends HTMLElement {
  #onChanged = () => this.load();
  #autoTopUp = null;
  #loads = 0;

  constructor() {
    super();
    this.attachShadow({ mode: "open" }).innerHTML = `
      <style>${baseStyle}
        .grid { display: grid; gap: 1rem; grid-template-columns: repeat(auto-fit, minmax(13rem, 1fr)); }
        .pack { position: relative; border: 1px solid var(--credits-border); border-radius: var(--credits-radius); padding: 1.25rem;
                background: #fff; display: flex; flex-direction: column; gap: .35rem; }
        .pack.popular { border-color: var(--credits-accent); box-shadow: 0 0 0 1px var(--credits-accent), 0 8px 24px rgba(99,91,255,.12); }
        .badge { position: absolute; top: -.7rem; right: 1rem; background: var(--credits-accent); color: #fff; font-size: .72rem;
                 font-weight: 700; padding: .2rem .6rem; border-radius: 999px; letter-spacing: .02em; }
        .name { font-weight: 700; font-size: 1.05rem; margin: 0; }
        .credits { font-size: 1.6rem; font-weight: 800; margin: .2rem 0 0; font-variant-numeric: tabular-nums; }
        .credits small { font-size: .9rem; font-weight: 600; color: var(--credits-muted); }
        .price { font-weight: 600; color: #1a2233; margin: 0; }
        .desc { color: var(--credits-muted); font-size: .9rem; margin: 0 0 .6rem; flex: 1; }
        .buy { background: var(--credits-accent); color: #fff; width: 100%; }
        .buy:hover:not(:disabled) { filter: brightness(.93); }
        .buy.secondary { background: #fff; color: var(--credits-accent); border-color: var(--credits-accent); }
        .message { border-radius: 10px; padding: .75rem 1rem; margin-bottom: 1rem; }
        .message.success { background: #ecfdf3; color: var(--credits-success); border: 1px solid #abefc6; }
        .message.error { background: #fef3f2; color: var(--credits-danger); border: 1px solid #fecdca; }
        .message.info { background: #f4f5f8; color: var(--credits-muted); border: 1px solid var(--credits-border); }
        .message strong { display: block; }
        .loading { color: var(--credits-muted); }
        .tiers { list-style: none; margin: 0 0 .4rem; padding: 0; font-size: .85rem; color: var(--credits-muted); }
        .tiers li.reached { color: var(--credits-success); font-weight: 600; }
        .volume { display: flex; align-items: center; gap: .5rem; font-size: .9rem; margin: 0 0 .3rem; }
        .volume input { width: 4.5rem; font: inherit; padding: .3rem .4rem; border: 1px solid var(--credits-border); border-radius: 8px; }
        .quote { font-size: .85rem; margin: 0 0 .6rem; min-height: 1.2em; }
        .quote .saving { color: var(--credits-success); font-weight: 600; }
        ${autoTopUpStyle}
      </style>
      <div class="message" part="message" hidden></div>
      <p class="loading" role="status">Loading credit packs…</p>
      <div class="grid" part="grid"></div>
      <section></section>`;
  }

  get #apiBase() { return this.getAttribute("api-base") ?? undefined; }

  connectedCallback() {
    this.dataset.state = "loading";
    document.addEventListener("credits-changed", this.#onChanged);
    this.load();
    this.#handleReturn();
  }

  disconnectedCallback() {
    document.removeEventListener("credits-changed", this.#onChanged);
  }

  /**
   * Loads (or reloads) the packages (again on `credits-changed`: a sign-in or a claim changes "claimed"). Only the
   * latest load draws: an older one answered after it would put back what the newer one replaced.
   */
  async load() {
    const grid = this.shadowRoot.querySelector(".grid");
    const loading = this.shadowRoot.querySelector(".loading");
    const mine = ++this.#loads;
    try {
      const wallet = walletOf(this);
      if (wallet === undefined) throw new Error("wallet must be \"personal\" or \"team:{id}\"");
      const packages = await api("/credits/packages", { apiBase: this.#apiBase });
      if (mine !== this.#loads) return;
      this.#render(grid, packages.filter(p => !(wallet && p.isFree)), wallet);
      loading.hidden = true;
      this.#autoTopUp ??= new AutoTopUpSection(this.shadowRoot.querySelector("section"), this.#apiBase, wallet);
      await this.#autoTopUp.load(packages, () => mine === this.#loads);
      if (mine === this.#loads) this.dataset.state = "ready";
    } catch (error) {
      if (mine !== this.#loads) return;
      loading.hidden = true;
      this.dataset.state = "error";
      this.#message("error", "Couldn't load credit packs", error.message);
    }
  }

  /**
   * Shows the packs. A card whose pack did not change is kept as it is, in place (a reload must not take the field the
   * buyer is typing in, its focus or its quote, even when another card changes); a changed card is drawn again with the
   * number of packs typed on the old one.
   */
  #render(grid, packages, wallet) {
    const old = new Map([...grid.querySelectorAll("article.pack")].map(card => [card.dataset.package, card]));
    const cards = packages.map(p => {
      const shown = JSON.stringify([wallet, p]);
      const kept = old.get(p.id);
      if (kept?.dataset.shown === shown) return kept;
      const card = this.#card(p, wallet);
      card.dataset.shown = shown;
      const typed = kept?.querySelector(".volume:not([hidden]) input")?.value;
      const input = card.querySelector(".volume:not([hidden]) input");
      if (input && typed !== undefined && input.value !== typed) {
        input.value = typed;
        input.dispatchEvent(new Event("input"));
      }
      return card;
    });
    // Only what changed is taken out or put in: a kept card never leaves the grid (a detached field loses its focus).
    const wanted = new Set(cards);
    [...grid.children].filter(child => !wanted.has(child)).forEach(child => child.remove());
    cards.forEach((card, i) => { if (grid.children[i] !== card) grid.insertBefore(card, grid.children[i] ?? null); });
  }

  #card(p, wallet) {
    const card = document.createElement("article");
    card.className = "pack" + (p.mostPopular ? " popular" : "");
    card.dataset.package = p.id;
    const claimed = p.isFree && p.claimed === true;
    card.innerHTML = `
      ${p.mostPopular ? '<span class="badge">Most popular</span>' : ""}
      <h3 class="name"></h3>
      <p class="credits"><span class="amount"></span> <small>credits</small></p>
      <p class="price"></p>
      <p class="desc"></p>
      <ul class="tiers" part="tiers" hidden></ul>
      <label class="volume" hidden>Packs <input type="number" min="1" step="1" value="1" inputmode="numeric"></label>
      <p class="quote" role="status" hidden></p>
      <button type="button" class="buy${p.isFree ? " secondary" : ""}"></button>`;
    card.querySelector(".name").textContent = p.name;
    card.querySelector(".amount").textContent = number.format(p.credits);
    card.querySelector(".price").textContent = p.isFree ? "Free" : p.price;
    card.querySelector(".desc").textContent = p.description ?? "";
    const button = card.querySelector(".buy");
    button.textContent = p.isFree ? (claimed ? "Claimed ✓" : "Claim free credits") : wallet ? `Buy ${p.name} for the team` : `Buy ${p.name}`;
    button.disabled = claimed;
    button.setAttribute("aria-label", p.isFree ? `Claim ${p.name}: ${p.credits} free credits`
      : `Buy ${p.name}${wallet ? " for the team" : ""}: ${p.credits} credits for ${p.price}`);
    button.addEventListener("click", () => this.#buy(p, button, wallet, this.#quantityOf(card)));
    if (!wallet && !p.isFree && p.tiers?.length) this.#volume(card, p);
    return card;
  }

  /** The tiers of a pack with their saving, and a number of packs whose price the server quotes. */
  #volume(card, p) {
    const money = cents => new Intl.NumberFormat(undefined, { style: "currency", currency: p.currency.toUpperCase() }).format(cents / 100);
    const list = card.querySelector(".tiers");
    list.replaceChildren(...p.tiers.map(t => {
      const item = document.createElement("li");
      item.dataset.minQuantity = t.minQuantity;
      item.textContent = `${number.format(t.minQuantity)}+ packs (${number.format(t.minCredits)} credits): ${t.discountBasisPoints / 100}% off, save ${money(t.savingCents)}`;
      return item;
    }));
    list.hidden = false;
    const label = card.querySelector(".volume");
    label.hidden = false;
    const input = label.querySelector("input");
    input.setAttribute("aria-label", `Number of ${p.name} packs`);
    let request = 0;
    input.addEventListener("input", async () => {
      const quantity = this.#quantityOf(card);
      const quote = card.querySelector(".quote");
      list.querySelectorAll("li").forEach(li => li.classList.toggle("reached", quantity !== null && quantity >= Number(li.dataset.minQuantity)));
      if (quantity === null) { quote.hidden = false; quote.textContent = "Enter a whole number of packs."; return; }
      const mine = ++request;
      try {
        const q = await api(`/credits/packages/${encodeURIComponent(p.id)}/quote?quantity=${quantity}`, { apiBase: this.#apiBase });
        if (mine !== request) return;
        quote.innerHTML = "<span></span> <span class=\"saving\"></span>";
        quote.firstChild.textContent = `${number.format(q.credits)} credits for ${q.price}`;
        quote.lastChild.textContent = q.savingCents > 0 ? `(${q.discountBasisPoints / 100}% off, save ${money(q.savingCents)})` : "";
      } catch (error) {
        if (mine === request) quote.textContent = error.message;
      }
      quote.hidden = false;
      card.dataset.quantity = quantity;
    });
  }

  /** The number of packs typed on a card (1 without volume tiers), or null when it is not a whole number from 1. */
  #quantityOf(card) {
    const input = card.querySelector(".volume:not([hidden]) input");
    if (!input) return 1;
    return /^[1-9][0-9]{0,3}$/.test(input.value) ? Number(input.value) : null;
  }

  async #buy(p, button, wallet, quantity) {
    if (quantity === null) { this.#message("error", "Not a number of packs", "Enter a whole number of packs."); return; }
    const label = button.textContent;
    button.disabled = true;
    button.textContent = p.isFree ? "Claiming…" : "Redirecting to checkout…";
    this.#message(null);
    try {
      const body = wallet ? { packageId: p.id, teamId: wallet.teamId } : quantity > 1 ? { packageId: p.id, quantity } : { packageId: p.id };
      if (!p.isFree && this.#autoTopUp?.keepCard()) body.saveForAutoTopUp = true;
      const session = await api("/stripe/create-checkout-session", { method: "POST", body, apiBase: this.#apiBase });
      if (session.claimed) {
        this.#message("success", `${number.format(session.credits)} free credits added`, `Your balance is ${number.format(session.balance)} credits.`);
        notifyCreditsChanged({ balance: session.balance });
        button.textContent = "Claimed ✓";
        return;
      }
      this.dispatchEvent(new CustomEvent("checkout-started", { detail: session, bubbles: true, composed: true }));
      window.location.assign(session.url);
    } catch (error) {
      button.disabled = false;
      button.textContent = label;
      this.#message("error", error.status === 409 ? "Already claimed" : error.title, error.message);
    }
  }

  async #handleReturn() {
    const params = new URLSearchParams(window.location.search);
    const outcome = params.get("checkout");
    if (!outcome || params.get("gift_checkout") === "1") return;  // a gift checkout: <credit-gift> shows its code
    const sessionId = params.get("session_id");
    ["checkout", "session_id"].forEach(k => params.delete(k));
    const query = params.toString();
    history.replaceState(history.state, "", window.location.pathname + (query ? `?${query}` : "") + window.location.hash);
    if (outcome === "cancelled") {
      this.#message("info", "Checkout cancelled", "No payment was taken.");
      return;
    }
    if (outcome !== "success" || !sessionId) return;
    this.#message("info", "Confirming your payment…", "");
    for (let attempt = 0; attempt < 6; attempt++) {
      try {
        const status = await api(`/stripe/checkout-session/${encodeURIComponent(sessionId)}`, { apiBase: this.#apiBase });
        if (status.status === "completed") {
          const whose = status.teamId ? "The team's balance" : "Your balance";
          this.#message("success", `Payment received: ${number.format(status.credits)} credits added`, `${whose} is ${number.format(status.balance)} credits.`);
          this.dataset.checkout = "completed";
          notifyCreditsChanged(status.teamId ? { teamId: status.teamId, balance: status.balance } : { balance: status.balance });
          return;
        }
        if (status.status === "failed" || status.status === "expired") {
          this.#message("error", "Payment not completed", `The checkout is ${status.status}. No credits were added.`);
          return;
        }
      } catch (error) {
        this.#message("error", "Couldn't confirm the payment", error.message);
        return;
      }
      await new Promise(resolve => setTimeout(resolve, 1500));
    }
    this.#message("info", "Payment processing", "Your credits will appear as soon as the payment is confirmed.");
  }

  #message(kind, title, text) {
    const box = this.shadowRoot.querySelector(".message");
    if (!kind) { box.hidden = true; return; }
    box.className = `message ${kind}`;
    box.setAttribute("role", kind === "error" ? "alert" : "status");
    box.innerHTML = "<strong></strong><span></span>";
    box.querySelector("strong").textContent = title;
    box.querySelector("span").textContent = text;
    box.hidden = false;
  }
}

if (!customElements.get("credit-purchase")) customElements.define("credit-purchase", CreditPurchase);
