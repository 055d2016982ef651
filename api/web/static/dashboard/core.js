// The dashboard's core: the caller's token, the chosen year and street, the language, one
// GraphQL call, number formats as the bureau writes them, a hash router and the live signal.
// Every other module imports from here; nothing here draws a panel.

const TOKEN_KEY = "caseledger.token";
const LANG_KEY = "caseledger.lang";

export const state = {
  token: sessionStorage.getItem(TOKEN_KEY) || "",
  lang: localStorage.getItem(LANG_KEY) || "zh",
  year: null, // set by the page once it knows the data's years
  street: "", // "" = the whole district (or, for a street-bound caller, its street)
  viewer: null, // the GraphQL `viewer` answer for the token
};

export function setToken(token) {
  state.token = token.trim();
  if (state.token) sessionStorage.setItem(TOKEN_KEY, state.token);
  else sessionStorage.removeItem(TOKEN_KEY);
}

// ---- messages: each module adds its own keys with addMessages({zh: {...}, en: {...}}) ----

const messages = { zh: {}, en: {} };

export function addMessages(more) {
  for (const lang of Object.keys(messages)) Object.assign(messages[lang], more[lang] || {});
}

/** The text for `key` in the current language; `{name}` placeholders from `vars`. */
export function t(key, vars = {}) {
  const text = messages[state.lang][key] ?? messages.zh[key] ?? key;
  return text.replace(/\{(\w+)\}/g, (_, name) => String(vars[name] ?? ""));
}

/** Set the language and re-run every `onLanguage` listener (and the current route). */
export function setLang(lang) {
  state.lang = lang === "en" ? "en" : "zh";
  localStorage.setItem(LANG_KEY, state.lang);
  document.documentElement.lang = state.lang === "en" ? "en" : "zh-CN";
  for (const listener of languageListeners) listener(state.lang);
}

const languageListeners = [];
export function onLanguage(listener) {
  languageListeners.push(listener);
}

// ---- numbers as the bureau writes them ----

/** fen -> "1,234.56" in 万元 (1 万元 = 10,000 元 = 1,000,000 fen), two decimals. */
export function wan(fen) {
  if (fen === null || fen === undefined) return "—";
  return (Number(fen) / 1_000_000).toLocaleString("zh-CN", {
    minimumFractionDigits: 2,
    maximumFractionDigits: 2,
  });
}

/** fen -> "1,234.56" in 元, two decimals (a single payout or a monthly amount). */
export function yuan(fen) {
  if (fen === null || fen === undefined) return "—";
  return (Number(fen) / 100).toLocaleString("zh-CN", {
    minimumFractionDigits: 2,
    maximumFractionDigits: 2,
  });
}

/** A percentage already in percent (12.3456 -> "12.35%"); "—" when there is none. */
export function pct(percent) {
  if (percent === null || percent === undefined) return "—";
  return `${Number(percent).toFixed(2)}%`;
}

/** A count with thousands separators. */
export function count(n) {
  if (n === null || n === undefined) return "—";
  return Number(n).toLocaleString("zh-CN");
}

// ---- GraphQL ----

export class GraphQLFailure extends Error {
  constructor(message, errors = [], status = 200) {
    super(message);
    this.errors = errors; // the GraphQL errors (each with extensions.code)
    this.status = status;
  }
  get forbidden() {
    return this.status === 401 || this.status === 403 ||
      this.errors.some((e) => ["FORBIDDEN", "UNAUTHENTICATED"].includes(e.extensions?.code));
  }
}

/** POST a query with the caller's token; the `data`, or a GraphQLFailure. `partial`: return
 * `{data, errors}` instead of failing when some fields failed (e.g. one refused field).
 * `minPosition`: the answer waits until the views have caught up to that ledger position
 * (the X-Min-Position header), so a refresh after a live event shows that event.
 * `purpose`: the stated purpose of a read in full (X-Purpose; the API records the read). */
export async function gql(query, variables = {}, { partial = false, minPosition = null, purpose = "" } = {}) {
  const headers = { "content-type": "application/json", accept: "application/json" };
  if (state.token) headers.authorization = `Bearer ${state.token}`;
  if (minPosition !== null) headers["x-min-position"] = String(minPosition);
  if (purpose.trim()) headers["x-purpose"] = headerText(purpose.trim());
  const response = await fetch("/graphql", {
    method: "POST",
    headers,
    body: JSON.stringify({ query, variables }),
  });
  let body;
  try {
    body = await response.json();
  } catch {
    throw new GraphQLFailure(`HTTP ${response.status}`, [], response.status);
  }
  if (!response.ok && !body.data) {
    const message = body.detail || body.title || body.errors?.[0]?.message || `HTTP ${response.status}`;
    throw new GraphQLFailure(message, body.errors || [], response.status);
  }
  if (body.errors?.length && !partial) {
    throw new GraphQLFailure(body.errors.map((e) => e.message).join("; "), body.errors, response.status);
  }
  return partial ? { data: body.data || {}, errors: body.errors || [] } : body.data;
}

/** A header value as fetch() can send it (Latin-1 only): the text's UTF-8 bytes, one per
 * character; the API decodes them again (the X-Purpose header, typed in Chinese). */
export function headerText(text) {
  return Array.from(new TextEncoder().encode(text), (b) => String.fromCharCode(b)).join("");
}

/** GET a REST resource with the caller's token (the case-file export); the Response. */
export async function authorizedFetch(url, init = {}) {
  const headers = new Headers(init.headers || {});
  if (state.token) headers.set("authorization", `Bearer ${state.token}`);
  return fetch(url, { ...init, headers });
}

// ---- the hash router: "#/" is the overview, "#/cases?street=..." a list, "#/case/<id>" ----

const routes = []; // [{prefix, render}]

/** `render(params, el, rest)` draws route `prefix` ("cases", "case", ...) into `el`. */
export function route(prefix, render) {
  routes.push({ prefix, render });
}

/** The current route: {name, rest, params} from location.hash. */
export function current() {
  const hash = location.hash.replace(/^#\/?/, "");
  const [path, search = ""] = hash.split("?");
  const [name = "", ...rest] = path.split("/").map(decodeURIComponent);
  return { name, rest, params: Object.fromEntries(new URLSearchParams(search)) };
}

/** The hash for a route: link("cases", {street: "新闸街道", status: "in_payment"}). */
export function link(name, params = {}, ...rest) {
  const path = [name, ...rest].map(encodeURIComponent).join("/");
  const clean = Object.fromEntries(
    Object.entries(params).filter(([, v]) => v !== null && v !== undefined && v !== ""),
  );
  const search = new URLSearchParams(clean).toString();
  return `#/${path}${search ? `?${search}` : ""}`;
}

/** Draw the current route into `el`; "" (the overview) when no module claims the name. */
export async function render(el) {
  const { name, rest, params } = current();
  const found = routes.find((r) => r.prefix === name) || routes.find((r) => r.prefix === "");
  if (found) await found.render(params, el, rest);
}

// ---- live: the page's one event stream calls these listeners with each CloudEvent ----

const liveListeners = [];

/** `listener(event)` for every event the stream delivers (a CloudEvent: type, subject, data). */
export function onEvent(listener) {
  liveListeners.push(listener);
  return () => liveListeners.splice(liveListeners.indexOf(listener), 1);
}

export function dispatchEvent(event) {
  for (const listener of [...liveListeners]) {
    try {
      listener(event);
    } catch (error) {
      console.error("live listener failed", error);
    }
  }
}

// ---- small DOM helpers ----

/** el("div", {class: "x", "data-figure": "k"}, child, "text", ...) */
export function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs)) {
    if (value === null || value === undefined || value === false) continue;
    if (key.startsWith("on") && typeof value === "function") node.addEventListener(key.slice(2), value);
    else node.setAttribute(key, value === true ? "" : String(value));
  }
  for (const child of children.flat()) {
    if (child === null || child === undefined || child === false) continue;
    node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return node;
}
