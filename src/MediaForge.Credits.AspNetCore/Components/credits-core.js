// MediaForge.Credits components: what every component shares (the API call, problem errors, styles). Imported by
// the component modules; hosts import configureCredits / notifyCreditsChanged / CreditsApiError from credits.js.

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

export async function api(path, { method = "GET", body, apiBase, headers: extra = {} } = {}) {
  const headers = { Accept: "application/json", ...extra };
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

export const number = new Intl.NumberFormat();

/**
 * The element's wallet attribute: null for the signed-in user's own credits (no attribute, or "personal"),
 * { teamId } for "team:{id}" (a team id has 1 to 64 characters, no spaces or control characters), undefined when
 * the attribute is anything else.
 */
export function walletOf(element) {
  const value = element.getAttribute("wallet");
  if (value === null || value === "" || value === "personal") return null;
  const teamId = value.startsWith("team:") ? value.slice(5) : "";
  return teamId.length >= 1 && teamId.length <= 64 && !/[\s\u0000-\u001f\u007f]/.test(teamId) ? { teamId } : undefined;
}

export const baseStyle = `
  :host { font-family: inherit; color: inherit; --credits-accent: #635bff; --credits-muted: #5b6478; --credits-border: #e3e7ef;
          --credits-danger: #b42318; --credits-success: #0f7b3f; --credits-radius: 12px; }
  [hidden] { display: none !important; }
  button { font: inherit; cursor: pointer; border-radius: 8px; border: 1px solid transparent; padding: .5rem .9rem; font-weight: 600; }
  button:disabled { cursor: default; opacity: .6; }
  .sr { position: absolute; width: 1px; height: 1px; overflow: hidden; clip: rect(0 0 0 0); white-space: nowrap; }
`;
