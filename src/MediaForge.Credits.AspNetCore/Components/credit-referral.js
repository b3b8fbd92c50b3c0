// MediaForge.Credits <credit-referral> (loaded by credits.js).
import { api, baseStyle, number } from "./credits-core.js";

/**
 * <credit-referral api-base="/api">: the signed-in user's referral link (GET /credits/referrals) with a copy button,
 * how many users it brought and the credits earned. Refreshes on `credits-changed`.
 * data-state: loading | ready | off (referrals not enabled) | signed-out | error; data-link: the link shown.
 */
export class CreditReferral extends HTMLElement {
  #onChanged = () => this.refresh();

  constructor() {
    super();
    this.attachShadow({ mode: "open" }).innerHTML = `
      <style>${baseStyle}
        .box { display: grid; gap: .5rem; padding: 1rem; border: 1px solid var(--credits-border); border-radius: var(--credits-radius); }
        .row { display: flex; gap: .5rem; }
        input { flex: 1; min-width: 0; font: inherit; padding: .45rem .6rem; border: 1px solid var(--credits-border); border-radius: 8px; }
        .copy { background: var(--credits-accent); color: #fff; }
        .stats { color: var(--credits-muted); font-size: .9em; }
      </style>
      <div class="box" part="box">
        <div class="row"><input class="link" part="link" readonly aria-label="Your referral link"><button class="copy" type="button">Copy link</button></div>
        <span class="stats" part="stats" role="status" aria-live="polite">Loading your referral link…</span>
      </div>`;
    this.shadowRoot.querySelector(".copy").addEventListener("click", () => this.#copy());
  }

  connectedCallback() {
    document.addEventListener("credits-changed", this.#onChanged);
    this.refresh();
  }

  disconnectedCallback() {
    document.removeEventListener("credits-changed", this.#onChanged);
  }

  /** Loads the link and the counts again. */
  async refresh() {
    this.dataset.state = "loading";
    try {
      const data = await api("/credits/referrals", { apiBase: this.getAttribute("api-base") ?? undefined });
      this.shadowRoot.querySelector(".link").value = data.link;
      this.dataset.link = data.link;
      this.#show(`${number.format(data.referred)} referred · ${number.format(data.rewardsEarned)} credits earned`, "ready");
    } catch (error) {
      const state = error.status === 401 ? "signed-out" : error.status === 404 ? "off" : "error";
      this.#show(state === "signed-out" ? "Sign in to get your referral link" : state === "off" ? "Referrals are not available" : error.title, state);
    }
  }

  async #copy() {
    const link = this.dataset.link;
    if (!link) return;
    try { await navigator.clipboard.writeText(link); this.#show("Link copied", this.dataset.state); }
    catch { this.shadowRoot.querySelector(".link").select(); }
  }

  #show(text, state) {
    this.shadowRoot.querySelector(".stats").textContent = text;
    this.dataset.state = state;
  }
}

if (!customElements.get("credit-referral")) customElements.define("credit-referral", CreditReferral);
