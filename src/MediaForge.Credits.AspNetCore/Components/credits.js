// MediaForge.Credits drop-in web components: <credit-display>, <credit-purchase> and <credit-referral>. No framework, one ES module.
//   <script type="module" src="/_mediaforge/credits.js"></script>
//   <credit-display></credit-display>  <credit-purchase></credit-purchase>  <credit-referral></credit-referral>
// Both call the add-on's endpoints (default prefix /api) with the page's cookies; configureCredits({ getToken })
// adds a bearer token (Clerk: () => window.Clerk.session.getToken()). Dispatch `credits-changed` on document after
// a feature use; both components do it themselves after a claim or a purchase.

const settings = { apiBase: "/api", getToken: null, credentials: "same-origin" };

/** Sets the API prefix, a token provider for Authorization: Bearer, and the fetch credentials mode. */
export function configureCredits(options = {}) {
  Object.assign(settings, options);
}

/** Tells every component on the page that the balance changed (detail is passed along). */
export function notifyCreditsChanged(detail = {}) {
  document.dispatchEvent(new CustomEvent("credits-changed", { detail }));
}

/** An API error carrying the problem details' title/detail/code. */
export class CreditsApiError extends Error {
  constructor(status, problem) {
    super(problem?.detail || problem?.title || `Request failed (${status})`);
    this.status = status;
    this.problem = problem;
    this.title = problem?.title || (status === 401 ? "Please sign in" : `Request failed (${status})`);
  }
}

async function api(path, { method = "GET", body, apiBase } = {}) {
  const headers = { Accept: "application/json" };
  if (body !== undefined) headers["Content-Type"] = "application/json";
  if (settings.getToken) {
    const token = await settings.getToken();
    if (token) headers.Authorization = `Bearer ${token}`;
  }
  let response;
  try {
    response = await fetch(`${apiBase ?? settings.apiBase}${path}`, {
      method, headers, credentials: settings.credentials,
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  } catch {
    throw new CreditsApiError(0, { title: "Network error", detail: "The credits service could not be reached." });
  }
  const text = await response.text();
  let data = null;
  try { data = text ? JSON.parse(text) : null; } catch { data = null; }
  if (!response.ok) throw new CreditsApiError(response.status, data);
  return data;
}

const number = new Intl.NumberFormat();

const baseStyle = `
  :host { font-family: inherit; color: inherit; --credits-accent: #635bff; --credits-muted: #5b6478; --credits-border: #e3e7ef;
          --credits-danger: #b42318; --credits-success: #0f7b3f; --credits-radius: 12px; }
  [hidden] { display: none !important; }
  button { font: inherit; cursor: pointer; border-radius: 8px; border: 1px solid transparent; padding: .5rem .9rem; font-weight: 600; }
  button:disabled { cursor: default; opacity: .6; }
  .sr { position: absolute; width: 1px; height: 1px; overflow: hidden; clip: rect(0 0 0 0); white-space: nowrap; }
`;

/**
 * <credit-display refresh-interval="30" api-base="/api">: the signed-in user's balance. Refreshes every
 * refresh-interval seconds (default 30), right away on `credits-changed`, and pauses while the tab is hidden.
 * data-state: loading | ready | error | signed-out; data-balance: the last balance shown.
 */
export class CreditDisplay extends HTMLElement {
  static observedAttributes = ["refresh-interval"];
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
        .retry { padding: .1rem .5rem; background: #fff; border-color: #fecdca; color: var(--credits-danger); font-size: .8em; }
      </style>
      <span class="pill" part="pill">
        <span class="bolt" aria-hidden="true">⚡</span>
        <span class="value" part="value" role="status" aria-live="polite" aria-atomic="true">Loading credits…</span>
        <button class="retry" type="button" hidden>Retry</button>
      </span>`;
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

  attributeChangedCallback() {
    if (this.isConnected && !document.hidden) { this.#stop(); this.#start(); }
  }

  /** Asks the server for the balance now. */
  async refresh() {
    if (this.#loading) { this.#again = true; return; }
    this.#loading = true;
    try {
      const balance = await api("/credits/balance", { apiBase: this.getAttribute("api-base") ?? undefined });
      const text = balance.isUnlimited ? "Unlimited credits" : `${number.format(balance.available)} credits`;
      this.dataset.balance = String(balance.available);
      this.#setState("ready", text);
      this.dispatchEvent(new CustomEvent("credits-loaded", { detail: balance, bubbles: true, composed: true }));
    } catch (error) {
      if (error.status === 401) this.#setState("signed-out", "Sign in to see your credits");
      else this.#setState("error", "Couldn't load credits", true);
    } finally {
      this.#loading = false;
      if (this.#again) { this.#again = false; this.refresh(); }
    }
  }

  #setState(state, text, retry = false) {
    this.dataset.state = state;
    const value = this.shadowRoot.querySelector(".value");
    if (value.textContent !== text) value.textContent = text;
    this.shadowRoot.querySelector(".retry").hidden = !retry;
    this.setAttribute("aria-busy", state === "loading" ? "true" : "false");
  }

  #start() {
    const seconds = this.refreshInterval;
    if (seconds > 0 && this.#timer === null) this.#timer = setInterval(() => this.refresh(), seconds * 1000);
  }

  #stop() {
    if (this.#timer !== null) { clearInterval(this.#timer); this.#timer = null; }
  }
}

/**
 * <credit-purchase api-base="/api">: the credit packs with price, credits and a "Most popular" badge; the free
 * starter can be claimed once; Buy starts Checkout and redirects. On return (?checkout=success&session_id=...) it
 * asks the checkout-session endpoint (which fulfils if paid) and shows a confirmation.
 */
export class CreditPurchase extends HTMLElement {
  #onChanged = () => this.load();

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
      </style>
      <div class="message" part="message" hidden></div>
      <p class="loading" role="status">Loading credit packs…</p>
      <div class="grid" part="grid"></div>`;
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

  /** Loads (or reloads) the packages (again on `credits-changed`: a sign-in or a claim changes "claimed"). */
  async load() {
    const grid = this.shadowRoot.querySelector(".grid");
    const loading = this.shadowRoot.querySelector(".loading");
    try {
      const packages = await api("/credits/packages", { apiBase: this.#apiBase });
      grid.replaceChildren(...packages.map(p => this.#card(p)));
      loading.hidden = true;
      this.dataset.state = "ready";
    } catch (error) {
      loading.hidden = true;
      this.dataset.state = "error";
      this.#message("error", "Couldn't load credit packs", error.message);
    }
  }

  #card(p) {
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
      <button type="button" class="buy${p.isFree ? " secondary" : ""}"></button>`;
    card.querySelector(".name").textContent = p.name;
    card.querySelector(".amount").textContent = number.format(p.credits);
    card.querySelector(".price").textContent = p.isFree ? "Free" : p.price;
    card.querySelector(".desc").textContent = p.description ?? "";
    const button = card.querySelector(".buy");
    button.textContent = p.isFree ? (claimed ? "Claimed ✓" : "Claim free credits") : `Buy ${p.name}`;
    button.disabled = claimed;
    button.setAttribute("aria-label", p.isFree ? `Claim ${p.name}: ${p.credits} free credits` : `Buy ${p.name}: ${p.credits} credits for ${p.price}`);
    button.addEventListener("click", () => this.#buy(p, button));
    return card;
  }

  async #buy(p, button) {
    const label = button.textContent;
    button.disabled = true;
    button.textContent = p.isFree ? "Claiming…" : "Redirecting to checkout…";
    this.#message(null);
    try {
      const session = await api("/stripe/create-checkout-session", { method: "POST", body: { packageId: p.id }, apiBase: this.#apiBase });
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
    if (!outcome) return;
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
          this.#message("success", `Payment received: ${number.format(status.credits)} credits added`, `Your balance is ${number.format(status.balance)} credits.`);
          this.dataset.checkout = "completed";
          notifyCreditsChanged({ balance: status.balance });
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

if (!customElements.get("credit-display")) customElements.define("credit-display", CreditDisplay);
if (!customElements.get("credit-purchase")) customElements.define("credit-purchase", CreditPurchase);
if (!customElements.get("credit-referral")) customElements.define("credit-referral", CreditReferral);
