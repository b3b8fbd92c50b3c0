// MediaForge.Credits: the auto top-up settings section of <credit-purchase> (imported by credit-purchase.js).
import { api, number } from "./credits-core.js";

export const autoTopUpStyle = `
  .auto { margin-top: 1.25rem; border: 1px solid var(--credits-border); border-radius: var(--credits-radius); padding: 1rem 1.25rem; background: #fff; }
  .auto summary { font-weight: 700; cursor: pointer; }
  .auto form { display: grid; gap: .6rem; grid-template-columns: repeat(auto-fit, minmax(11rem, 1fr)); margin-top: .8rem; align-items: end; }
  .auto label { display: flex; flex-direction: column; gap: .25rem; font-size: .85rem; color: var(--credits-muted); }
  .auto label.check { flex-direction: row; align-items: center; gap: .4rem; color: inherit; }
  .auto input, .auto select { font: inherit; padding: .35rem .45rem; border: 1px solid var(--credits-border); border-radius: 8px; }
  .auto .save { background: var(--credits-accent); color: #fff; }
  .auto .status { font-size: .85rem; margin: .6rem 0 0; color: var(--credits-muted); }
  .auto .status.paused, .auto .status.error { color: var(--credits-danger); }
`;

/**
 * The section: on, threshold, pack, monthly count and money caps, saved with PUT /api/credits/auto-top-up; a line
 * telling whether a card is kept, how many top-ups this month, and whether it paused. Hidden when the user is not
 * signed in. `keepCard()` tells <credit-purchase> whether the next purchase should keep its card.
 */
export class AutoTopUpSection {
  #root;
  #apiBase;
  #wallet;
  #edited = false;

  constructor(root, apiBase, wallet) {
    this.#root = root;
    this.#apiBase = apiBase;
    this.#wallet = wallet;
    root.className = "auto";
    root.setAttribute("part", "auto-top-up");
    root.hidden = true;
    root.innerHTML = `
      <details>
        <summary>Auto top-up</summary>
        <form novalidate>
          <label class="check"><input type="checkbox" name="enabled"> Top up automatically</label>
          <label>When the balance drops below <input type="number" name="threshold" min="1" step="1" inputmode="numeric" required></label>
          <label>Buy <select name="packageId"></select></label>
          <label>At most per month <input type="number" name="maxTopUpsPerMonth" min="1" max="100" step="1" value="3" inputmode="numeric"></label>
          <label>Spending at most per month <input type="number" name="maxAmount" min="0.01" step="0.01" inputmode="decimal"></label>
          <button type="submit" class="save">Save auto top-up</button>
          <label class="check"><input type="checkbox" name="keepCard"> Keep the card of my next purchase for auto top-up</label>
        </form>
        <p class="status" role="status"></p>
      </details>`;
    const form = root.querySelector("form");
    form.addEventListener("submit", event => { event.preventDefault(); this.#save(); });
    // Settings typed but not saved are the user's: a reload (on `credits-changed`) must not put the saved ones back.
    const edit = event => { if (event.target.name !== "keepCard") this.#edited = true; };
    form.addEventListener("input", edit);
    form.addEventListener("change", edit);
  }

  /** Whether the next checkout should keep its card. */
  keepCard() { return this.#root.querySelector("[name=keepCard]").checked; }

  /**
   * Fills the packs and reads the wallet's settings (hidden if the user is not signed in or may not see them); `current`
   * tells whether this load is still the latest when the settings arrive (an older answer is not shown).
   */
  async load(packages, current = () => true) {
    const select = this.#root.querySelector("select");
    const paid = packages.filter(p => !p.isFree);
    const chosen = select.value;
    select.replaceChildren(...paid.map(p => {
      const option = document.createElement("option");
      option.value = p.id;
      option.textContent = `${p.name}: ${number.format(p.credits)} credits for ${money(p.priceCents, p.currency)}`;
      return option;
    }));
    if (paid.some(p => p.id === chosen)) select.value = chosen;
    try {
      const settings = await api(this.#path(), { apiBase: this.#apiBase });
      if (!current()) return;
      this.#show(settings);
      this.#root.hidden = paid.length === 0;
    } catch {
      if (current()) this.#root.hidden = true;
    }
  }

  #path() { return "/credits/auto-top-up" + (this.#wallet ? `?teamId=${encodeURIComponent(this.#wallet.teamId)}` : ""); }

  #show(s) {
    const form = this.#root.querySelector("form");
    if (!this.#edited) {
      form.enabled.checked = s.enabled;
      if (s.threshold > 0) form.threshold.value = s.threshold;
      if (s.packageId) form.packageId.value = s.packageId;
      if (s.maxTopUpsPerMonth > 0) form.maxTopUpsPerMonth.value = s.maxTopUpsPerMonth;
      if (s.maxAmountPerMonthCents > 0) form.maxAmount.value = (s.maxAmountPerMonthCents / 100).toFixed(2);
    }
    this.#root.dataset.enabled = String(s.enabled);
    this.#root.dataset.paused = String(s.paused);
    const status = this.#root.querySelector(".status");
    status.className = "status" + (s.paused ? " paused" : "");
    status.textContent = s.paused ? `Paused after ${s.consecutiveFailures} declined charges: check your card, then save again to resume.`
      : s.consecutiveFailures > 0 ? `The last charge was declined (${s.consecutiveFailures} in a row); it is tried again later.`
      : !s.hasPaymentMethod ? "No card kept yet: buy a pack with \"Keep the card\" ticked."
      : s.enabled ? `On. ${s.topUpsThisMonth} of ${s.maxTopUpsPerMonth} top-ups used this month (${money(s.amountThisMonthCents, s.currency)}).`
      : "Off. A card is kept.";
  }

  async #save() {
    const form = this.#root.querySelector("form");
    const status = this.#root.querySelector(".status");
    const body = {
      enabled: form.enabled.checked,
      threshold: Number(form.threshold.value),
      packageId: form.packageId.value,
      maxTopUpsPerMonth: Number(form.maxTopUpsPerMonth.value),
      maxAmountPerMonthCents: Math.round(Number(form.maxAmount.value) * 100),
      teamId: this.#wallet?.teamId ?? null,
    };
    try {
      const saved = await api("/credits/auto-top-up", { method: "PUT", body, apiBase: this.#apiBase });
      this.#edited = false;
      this.#show(saved);
      this.#root.dataset.saved = "true";
    } catch (error) {
      status.className = "status error";
      status.textContent = error.message;
    }
  }
}

function money(cents, currency) {
  return new Intl.NumberFormat(undefined, { style: "currency", currency: (currency || "usd").toUpperCase() }).format(cents / 100);
}
