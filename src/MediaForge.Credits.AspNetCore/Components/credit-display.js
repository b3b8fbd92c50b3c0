// MediaForge.Credits <credit-display> (loaded by credits.js).
import { api, baseStyle, number, walletOf } from "./credits-core.js";

/**
 * <credit-display refresh-interval="30" api-base="/api" wallet="team:{id}">: the signed-in user's balance, or with
 * wallet="team:{id}" the balance of a team they belong to (GET /credits/teams/{id}/balance). Refreshes every
 * refresh-interval seconds (default 30), right away on `credits-changed`, and pauses while the tab is hidden.
 * data-state: loading | ready | error | signed-out; data-balance: the last balance shown; data-team: the team shown;
 * data-low: present while the server flags the balance low (isLowBalance): the pill gets the class "low" and a "Low" label.
 */
export class CreditDisplay extends HTMLElement {
  static observedAttributes = ["refresh-interval", "wallet"];
  #timer = null;
  #loading = false;
  #again = false;
  #onChanged = () => this.refresh();
  #onVisibility = () => { if (document.hidden) this.#stop(); else { this.refresh(); this.#start(); } };

  constructor() {
    super();
    this.attachShadow({ mode: "open" }).innerHTML = `
      <style>${baseStyle}
        .pill { display: inline-flex; align-items: center; gap: .45rem; padding: .4rem .8rem; border-radius: 999px;
                background: #f1f0ff; color: #2b2570; font-weight: 600; border: 1px solid #dedcff; white-space: nowrap; }
        .bolt { color: var(--credits-accent); }
        .value { font-variant-numeric: tabular-nums; }
        :host([data-state="loading"]) .value { color: var(--credits-muted); }
        :host([data-state="error"]) .pill { background: #fef3f2; border-color: #fecdca; color: var(--credits-danger); }
        :host([data-state="signed-out"]) .pill { background: #f4f5f8; border-color: var(--credits-border); color: var(--credits-muted); }
        .pill.low { background: #fffaeb; border-color: #fedf89; color: #93370d; }
        .low-label { font-size: .75em; text-transform: uppercase; letter-spacing: .04em; padding: .05rem .4rem; border-radius: 999px;
                     background: #fedf89; color: #93370d; }
        .plan { margin-left: .5rem; color: var(--credits-muted); font-size: .9em; white-space: nowrap; }
        .retry { padding: .1rem .5rem; background: #fff; border-color: #fecdca; color: var(--credits-danger); font-size: .8em; }
      </style>
      <span class="pill" part="pill">
        <span class="bolt" aria-hidden="true">⚡</span>
        <span class="value" part="value" role="status" aria-live="polite" aria-atomic="true">Loading credits…</span>
        <span class="low-label" part="low-label" hidden>Low</span>
        <button class="retry" type="button" hidden>Retry</button>
      </span>
      <span class="plan" part="plan" hidden></span>`;
    this.shadowRoot.querySelector(".retry").addEventListener("click", () => this.refresh());
  }

  /** Seconds between refreshes (attribute refresh-interval, default 30; 0 turns periodic refresh off). */
  get refreshInterval() {
    const value = Number.parseFloat(this.getAttribute("refresh-interval") ?? "30");
    return Number.isFinite(value) && value >= 0 ? value : 30;
  }

  connectedCallback() {
    this.#setState("loading", "Loading credits…");
    document.addEventListener("credits-changed", this.#onChanged);
    document.addEventListener("visibilitychange", this.#onVisibility);
    this.refresh();
    if (!document.hidden) this.#start();
  }

  disconnectedCallback() {
    this.#stop();
    document.removeEventListener("credits-changed", this.#onChanged);
    document.removeEventListener("visibilitychange", this.#onVisibility);
  }

  attributeChangedCallback(name) {
    if (name === "wallet" && this.isConnected) this.refresh();
    if (this.isConnected && !document.hidden) { this.#stop(); this.#start(); }
  }

  /** Asks the server for the balance now. */
  async refresh() {
    if (this.#loading) { this.#again = true; return; }
    this.#loading = true;
    const wallet = walletOf(this);
    try {
      if (wallet === undefined) throw new Error("wallet must be \"personal\" or \"team:{id}\"");
      const apiBase = this.getAttribute("api-base") ?? undefined;
      const balance = wallet ? await api(`/credits/teams/${encodeURIComponent(wallet.teamId)}/balance`, { apiBase })
        : await api("/credits/balance", { apiBase });
      const text = balance.isUnlimited ? "Unlimited credits"
        : wallet ? `${balance.name}: ${number.format(balance.available)} credits` : `${number.format(balance.available)} credits`;
      this.#showPlan(wallet ? null : balance.subscription);
      this.dataset.balance = String(balance.available);
      this.#setLow(balance.isLowBalance === true);
      if (wallet) this.dataset.team = wallet.teamId; else delete this.dataset.team;
      this.#setState("ready", text);
      this.dispatchEvent(new CustomEvent("credits-loaded", { detail: balance, bubbles: true, composed: true }));
    } catch (error) {
      if (error.status === 401) this.#setState("signed-out", "Sign in to see your credits");
      else this.#setState("error", wallet ? "Couldn't load team credits" : "Couldn't load credits", true);
      this.#setLow(false);
    } finally {
      this.#loading = false;
      if (this.#again) { this.#again = false; this.refresh(); }
    }
  }

  /** The current plan, its period end and the allowance left (from the balance's subscription), or nothing. */
  #showPlan(subscription) {
    const plan = this.shadowRoot.querySelector(".plan");
    if (!subscription) { plan.hidden = true; plan.textContent = ""; delete this.dataset.plan; return; }
    const ends = subscription.currentPeriodEnd ? new Date(subscription.currentPeriodEnd).toLocaleDateString() : null;
    const status = subscription.status === "Active" ? "" : ` (${subscription.status.replace(/([a-z])([A-Z])/g, "$1 $2").toLowerCase()})`;
    plan.textContent = `${subscription.planName}${status}: ${number.format(subscription.allowanceLeft)} of ${number.format(subscription.creditsPerPeriod)} left`
      + (ends ? ` · renews ${ends}` : "");
    plan.hidden = false;
    this.dataset.plan = subscription.planId;
  }

  #setState(state, text, retry = false) {
    this.dataset.state = state;
    const value = this.shadowRoot.querySelector(".value");
    if (value.textContent !== text) value.textContent = text;
    this.shadowRoot.querySelector(".retry").hidden = !retry;
    this.setAttribute("aria-busy", state === "loading" ? "true" : "false");
  }

  #setLow(low) {
    if (low) this.dataset.low = ""; else delete this.dataset.low;
    this.shadowRoot.querySelector(".pill").classList.toggle("low", low);
    const label = this.shadowRoot.querySelector(".low-label");
    label.hidden = !low;
    label.setAttribute("aria-label", "Low balance");
  }

  #start() {
    const seconds = this.refreshInterval;
    if (seconds > 0 && this.#timer === null) this.#timer = setInterval(() => this.refresh(), seconds * 1000);
  }

  #stop() {
    if (this.#timer !== null) { clearInterval(this.#timer); this.#timer = null; }
  }
}

if (!customElements.get("credit-display")) customElements.define("credit-display", CreditDisplay);
