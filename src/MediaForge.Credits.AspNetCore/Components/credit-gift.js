// MediaForge.Credits <credit-gift> (loaded by credits.js).
import { api, baseStyle, number, notifyCreditsChanged } from "./credits-core.js";

const statusLabels = { Pending: "Waiting", Redeemed: "Redeemed", Cancelled: "Cancelled", Expired: "Expired", Revoked: "Revoked" };

/**
 * <credit-gift api-base="/api">: send credits as a gift from the balance (amount, note) or buy a pack as a gift
 * (checkout with gift: true), then show the code and a copyable link; list my gifts (cancel a waiting one, show the
 * code of a bought one); redeem ?gift=CODE once the user is signed in (tried again on `credits-changed`, which the page
 * dispatches after sign-in). data-state: loading | ready | off | signed-out | error; data-redeem: redeemed | invalid |
 * own | rate-limited | error; data-code / data-link: the last code shown.
 */
export class CreditGift extends HTMLElement {
  #onChanged = () => this.refresh();
  #key = null;
  #busy = false;
  #again = false;

  constructor() {
    super();
    this.attachShadow({ mode: "open" }).innerHTML = `
      <style>${baseStyle}
        .box { display: grid; gap: 1rem; }
        fieldset { border: 1px solid var(--credits-border); border-radius: var(--credits-radius); padding: 1rem; display: grid; gap: .6rem; margin: 0; }
        legend { font-weight: 700; padding: 0 .3rem; }
        label { display: grid; gap: .25rem; font-size: .9em; color: var(--credits-muted); }
        input, textarea, select { font: inherit; color: inherit; padding: .45rem .6rem; border: 1px solid var(--credits-border); border-radius: 8px; min-width: 0; }
        .row { display: flex; gap: .5rem; flex-wrap: wrap; align-items: end; }
        .row > * { flex: 1; }
        .primary { background: var(--credits-accent); color: #fff; }
        .secondary { background: #fff; color: var(--credits-accent); border-color: var(--credits-accent); }
        .message { border-radius: 10px; padding: .75rem 1rem; }
        .message.success { background: #ecfdf3; color: var(--credits-success); border: 1px solid #abefc6; }
        .message.error { background: #fef3f2; color: var(--credits-danger); border: 1px solid #fecdca; }
        .message.info { background: #f4f5f8; color: var(--credits-muted); border: 1px solid var(--credits-border); }
        .message strong { display: block; }
        .share { display: grid; gap: .5rem; padding: 1rem; border: 1px dashed var(--credits-accent); border-radius: var(--credits-radius); }
        .share .code { font-family: ui-monospace, monospace; font-size: 1.1em; letter-spacing: .05em; }
        table { width: 100%; border-collapse: collapse; font-size: .9em; }
        th, td { text-align: left; padding: .4rem .5rem; border-bottom: 1px solid var(--credits-border); }
        th { color: var(--credits-muted); font-weight: 600; }
        td button { padding: .2rem .6rem; font-size: .85em; background: #fff; border-color: var(--credits-border); }
        .empty { color: var(--credits-muted); }
      </style>
      <div class="box" part="box">
        <div class="message redeem" part="redeem" hidden></div>
        <form class="send" part="send">
          <fieldset><legend>Send credits as a gift</legend>
            <div class="row">
              <label>Credits to give <input class="amount" name="amount" type="number" min="1" step="1" required inputmode="numeric"></label>
              <label>Note (optional) <input class="note" name="message" maxlength="280" placeholder="Enjoy!"></label>
            </div>
            <button class="primary send-button" type="submit">Send gift</button>
          </fieldset>
        </form>
        <form class="buy" part="buy">
          <fieldset><legend>Buy a pack as a gift</legend>
            <div class="row">
              <label>Pack <select class="package" name="package" required></select></label>
              <button class="secondary buy-button" type="submit">Buy as a gift</button>
            </div>
          </fieldset>
        </form>
        <div class="message status" part="message" hidden></div>
        <div class="share" part="share" hidden>
          <strong>Your gift is ready: share the link or the code</strong>
          <label>Gift link <span class="row"><input class="link" readonly><button class="primary copy" type="button">Copy link</button></span></label>
          <label>Gift code <input class="code" readonly></label>
        </div>
        <div class="lists" part="gifts">
          <table class="sent"><caption class="sr">Gifts you sent</caption>
            <thead><tr><th scope="col">Sent</th><th scope="col">Credits</th><th scope="col">Status</th><th scope="col">Expires</th><th scope="col"><span class="sr">Actions</span></th></tr></thead>
            <tbody></tbody></table>
          <p class="received empty" role="status"></p>
        </div>
      </div>`;
    const root = this.shadowRoot;
    root.querySelector(".send").addEventListener("submit", event => { event.preventDefault(); this.#send(); });
    root.querySelector(".buy").addEventListener("submit", event => { event.preventDefault(); this.#buy(); });
    root.querySelector(".copy").addEventListener("click", () => this.#copy());
    for (const input of root.querySelectorAll(".send input")) input.addEventListener("input", () => { this.#key = null; });
  }

  get #apiBase() { return this.getAttribute("api-base") ?? undefined; }

  #call(path, options = {}) { return api(path, { ...options, apiBase: this.#apiBase }); }

  connectedCallback() {
    document.addEventListener("credits-changed", this.#onChanged);
    this.refresh();
  }

  disconnectedCallback() {
    document.removeEventListener("credits-changed", this.#onChanged);
  }

  /** Redeems a ?gift= code or finishes a gift checkout if the URL has one, then loads the packs and my gifts. */
  async refresh() {
    if (this.#busy) { this.#again = true; return; }
    this.#busy = true;
    if (!this.dataset.state) this.dataset.state = "loading";
    try {
      await this.#redeemFromUrl();
      await this.#finishGiftCheckout();
      const [gifts, packages] = await Promise.all([this.#call("/credits/gifts"), this.#call("/credits/packages")]);
      this.#packages(packages.filter(p => !p.isFree));
      this.#list(gifts);
      this.dataset.state = "ready";
    } catch (error) {
      this.dataset.state = error.status === 401 ? "signed-out" : error.status === 404 && error.problem?.code === "gifts_disabled" ? "off" : "error";
      if (this.dataset.state === "error") this.#message(".status", "error", "Couldn't load your gifts", error.message);
    } finally {
      this.#busy = false;
      if (this.#again) { this.#again = false; this.refresh(); }
    }
  }

  async #redeemFromUrl() {
    const url = new URL(window.location.href);
    const code = url.searchParams.get("gift");
    if (!code) return;
    let kind = "error", title, text = "", state;
    try {
      const gift = await this.#call("/credits/gifts/redeem", { method: "POST", body: { code } });
      [kind, state, title] = ["success", "redeemed", `Gift redeemed: ${number.format(gift.redeemedAmount)} credits added`];
      text = gift.message ? `“${gift.message}”` : "";
      notifyCreditsChanged({ gift: gift.id });
    } catch (error) {
      if (error.status === 401) { this.#message(".redeem", "info", "You have a gift waiting", "Sign in to redeem it."); throw error; }
      if (error.status === 404 && error.problem?.code === "gifts_disabled") throw error;
      if (error.status === 0 || error.status >= 500) {  // not an answer about the code: keep it in the URL for the next try
        this.dataset.redeem = "error";
        this.#message(".redeem", "error", "Couldn't redeem your gift yet", `${error.message} Reload the page to try again.`);
        throw error;
      }
      [state, title, text] = error.status === 429 ? ["rate-limited", "Too many gift codes tried", `${error.message} Open your gift link again then.`]
        : error.problem?.code === "invalid_gift_code" ? ["invalid", "This gift link doesn't work", "It may be mistyped, already redeemed, cancelled or expired."]
        : error.problem?.code === "own_gift" ? ["own", "This is your own gift", "Share the link with a friend, or cancel the gift below."]
        : ["error", error.title, error.message];
    }
    this.dataset.redeem = state;
    this.#message(".redeem", kind, title, text);
    url.searchParams.delete("gift");
    history.replaceState(history.state, "", url);
  }

  async #finishGiftCheckout() {
    const params = new URLSearchParams(window.location.search);
    const sessionId = params.get("session_id");
    if (params.get("gift_checkout") !== "1" || params.get("checkout") !== "success" || !sessionId) return;
    this.#message(".status", "info", "Confirming your payment…", "");
    for (let attempt = 0; attempt < 6; attempt++) {
      const status = await this.#call(`/stripe/checkout-session/${encodeURIComponent(sessionId)}`);
      if (status.status === "completed" && status.giftId) {
        ["checkout", "session_id", "gift_checkout"].forEach(k => params.delete(k));
        const query = params.toString();
        history.replaceState(history.state, "", window.location.pathname + (query ? `?${query}` : "") + window.location.hash);
        await this.#reveal(status.giftId, `Payment received: your gift of ${number.format(status.credits)} credits is ready`);
        return;
      }
      if (status.status === "failed" || status.status === "expired") {
        this.#message(".status", "error", "Payment not completed", `The checkout is ${status.status}. No gift was made.`);
        return;
      }
      await new Promise(resolve => setTimeout(resolve, 1500));
    }
    this.#message(".status", "info", "Payment processing", "Your gift appears below as soon as the payment is confirmed.");
  }

  async #send() {
    const root = this.shadowRoot;
    const amount = Number(root.querySelector(".amount").value);
    const message = root.querySelector(".note").value.trim() || null;
    const button = root.querySelector(".send-button");
    this.#key ??= crypto.randomUUID();
    button.disabled = true;
    try {
      const created = await this.#call("/credits/gifts", { method: "POST", body: { amount, message }, headers: { "Idempotency-Key": this.#key } });
      this.#key = null;
      root.querySelector(".send").reset();
      this.#share(created, `Gift of ${number.format(created.gift.amount)} credits made`);
      notifyCreditsChanged({ gift: created.gift.id });
    } catch (error) {
      this.#message(".status", "error", error.status === 402 ? "Not enough credits" : error.title, error.message);
    } finally {
      button.disabled = false;
    }
  }

  async #buy() {
    const button = this.shadowRoot.querySelector(".buy-button");
    button.disabled = true;
    try {
      const packageId = this.shadowRoot.querySelector(".package").value;
      const session = await this.#call("/stripe/create-checkout-session", { method: "POST", body: { packageId, gift: true } });
      window.location.assign(session.url);
    } catch (error) {
      button.disabled = false;
      this.#message(".status", "error", error.title, error.message);
    }
  }

  async #reveal(giftId, title) {
    try {
      this.#share(await this.#call(`/credits/gifts/${encodeURIComponent(giftId)}/code`, { method: "POST" }), title);
    } catch (error) {
      this.#message(".status", "error", error.title, error.message);
    }
  }

  async #cancel(gift, button) {
    button.disabled = true;
    try {
      await this.#call(`/credits/gifts/${encodeURIComponent(gift.id)}`, { method: "DELETE" });
      this.#message(".status", "success", "Gift cancelled", `${number.format(gift.amount)} credits are yours to spend again.`);
      notifyCreditsChanged({ gift: gift.id });
    } catch (error) {
      button.disabled = false;
      this.#message(".status", "error", error.title, error.message);
    }
  }

  #share(created, title) {
    const root = this.shadowRoot;
    root.querySelector(".link").value = created.link;
    root.querySelector(".code").value = created.code;
    this.dataset.code = created.code;
    this.dataset.link = created.link;
    root.querySelector(".share").hidden = false;
    this.#message(".status", "success", title, "Anyone with the link can redeem it once. Until then you can cancel it.");
  }

  async #copy() {
    const link = this.shadowRoot.querySelector(".link");
    try { await navigator.clipboard.writeText(link.value); this.#message(".status", "success", "Link copied", ""); }
    catch { link.select(); }
  }

  #packages(packages) {
    const select = this.shadowRoot.querySelector(".package");
    const chosen = select.value;
    select.replaceChildren(...packages.map(p => new Option(`${p.name}: ${number.format(p.credits)} credits for ${p.price}`, p.id)));
    if (packages.some(p => p.id === chosen)) select.value = chosen;
    this.shadowRoot.querySelector(".buy").hidden = packages.length === 0;
  }

  #list({ sent, received }) {
    const rows = sent.map(gift => {
      const row = document.createElement("tr");
      row.dataset.gift = gift.id;
      row.dataset.status = gift.status;
      row.innerHTML = "<td></td><td></td><td></td><td></td><td></td>";
      const cells = row.children;
      cells[0].textContent = new Date(gift.createdAt).toLocaleDateString() + (gift.message ? ` · “${gift.message}”` : "") + (gift.purchaseId ? " · bought" : "");
      cells[1].textContent = number.format(gift.amount);
      cells[2].textContent = statusLabels[gift.status] ?? gift.status;
      cells[3].textContent = gift.status === "Pending" ? new Date(gift.expiresAt).toLocaleDateString() : "";
      if (gift.status === "Pending") {
        cells[4].append(this.#button("Show code", `Show a new code for your gift of ${gift.amount} credits`, () => this.#reveal(gift.id, `Gift of ${number.format(gift.amount)} credits`)),
          " ", this.#button("Cancel", `Cancel your gift of ${gift.amount} credits`, button => this.#cancel(gift, button)));
      }
      return row;
    });
    const body = this.shadowRoot.querySelector(".sent tbody");
    if (rows.length === 0) body.innerHTML = '<tr><td colspan="5" class="empty">No gifts sent yet.</td></tr>';
    else body.replaceChildren(...rows);
    const total = received.reduce((sum, gift) => sum + gift.redeemedAmount, 0);
    this.shadowRoot.querySelector(".received").textContent = received.length === 0 ? "No gifts received yet."
      : `${number.format(received.length)} gift${received.length === 1 ? "" : "s"} received · ${number.format(total)} credits`;
  }

  #button(text, label, action) {
    const button = document.createElement("button");
    button.type = "button";
    button.textContent = text;
    button.setAttribute("aria-label", label);
    button.addEventListener("click", () => action(button));
    return button;
  }

  #message(selector, kind, title, text) {
    const box = this.shadowRoot.querySelector(selector);
    box.className = `message ${selector.slice(1)} ${kind}`;
    box.setAttribute("role", kind === "error" ? "alert" : "status");
    box.innerHTML = "<strong></strong><span></span>";
    box.querySelector("strong").textContent = title;
    box.querySelector("span").textContent = text;
    box.hidden = false;
  }
}

if (!customElements.get("credit-gift")) customElements.define("credit-gift", CreditGift);
