// The header's controls: the token form, the demo roles (GET /dev/tokens, development only),
// the year and street choices, the language toggle and the static labels ([data-text]).
import { el, gql, onLanguage, setLang, setToken, state, t } from "./core.js";

const CHOICE_KEY = "caseledger.choice";

/** Wire the controls; `changed(what)` is called with "identity" or "choice". */
export function initHeader(changed) {
  const form = document.querySelector('[data-form="token"]');
  const input = document.getElementById("token");
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    if (!input.value.trim()) return;
    setToken(input.value);
    input.value = "";
    changed("identity");
  });
  document.querySelector('[data-action="sign-out"]').addEventListener("click", () => {
    setToken("");
    const select = document.getElementById("dev-role");
    if (select) select.value = "";
    changed("identity");
  });
  document.querySelector('[data-action="lang"]').addEventListener("click", () => {
    setLang(state.lang === "zh" ? "en" : "zh");
  });
  for (const id of ["year", "street"]) {
    document.getElementById(id).addEventListener("change", (event) => {
      if (id === "year") state.year = Number(event.target.value);
      else state.street = event.target.value;
      sessionStorage.setItem(CHOICE_KEY, JSON.stringify({ year: state.year, street: state.street }));
      changed("choice");
    });
  }
  onLanguage(labels);
  labels();
  return devRoles(changed);
}

/** Every [data-text] element gets its label in the current language. */
function labels() {
  for (const node of document.querySelectorAll("[data-text]")) node.textContent = t(node.dataset.text);
  const lang = document.querySelector('[data-action="lang"]');
  lang.textContent = t("dash.lang.other");
  lang.setAttribute("lang", state.lang === "zh" ? "en" : "zh-CN");
  document.title = `${t("dash.title.bureau")} ${t("dash.title.dashboard")}`;
  fillStreetLabel();
}

/** The demo roles, when the server offers them (404 in production: the select stays away). */
async function devRoles(changed) {
  let tokens;
  try {
    const response = await fetch("/dev/tokens", { headers: { accept: "application/json" } });
    if (!response.ok) return;
    tokens = await response.json();
  } catch {
    return;
  }
  if (!Array.isArray(tokens) || !tokens.length) return;
  const holder = document.querySelector(".dev-role");
  const select = el("select", { id: "dev-role" },
    el("option", { value: "", "data-text": "dash.who.devPick" }, t("dash.who.devPick")),
    tokens.map((entry) => el("option", { value: entry.user }, entry.label || `${entry.role} ${entry.street || ""}`)));
  select.addEventListener("change", () => {
    const entry = tokens.find((e) => e.user === select.value);
    setToken(entry ? entry.token : "");
    changed("identity");
  });
  holder.append(select);
  holder.hidden = false;
  markDevRole(state.viewer?.user);
}

/** Show the demo role the token belongs to, if it is one (none: "pick a role"). */
export function markDevRole(user) {
  const select = document.getElementById("dev-role");
  if (!select) return;
  select.value = [...select.options].some((o) => o.value === user) ? user : "";
}

/** What the choices are made of: the years with payouts or temporary assistance, and the
 * streets with cases or institutions (asked beside the viewer, so the page opens sooner). */
export function askChoices() {
  return gql(
    `{ payoutTotals(groupBy: ["month"]) { month }
       temporaryAssistanceStats(groupBy: ["year"]) { year }
       caseload(groupBy: ["street"]) { street }
       bedStats(groupBy: ["street"]) { street } }`,
    {}, { partial: true },
  ).catch(() => ({ data: {} }));
}

/** Years from the first with data to this year; streets from the caseload and the beds (a
 * street-bound caller: its street only). Keeps the tab's last choice while it is offered. */
export function fillChoices(viewer, { data }) {
  const thisYear = new Date().getFullYear();
  const inRange = (list) => list.filter((y) => Number.isInteger(y) && y <= thisYear);
  const paid = inRange((data.payoutTotals || []).map((r) => Number(String(r.month).slice(0, 4))));
  const found = [...paid, ...inRange((data.temporaryAssistanceStats || []).map((r) => r.year))];
  const first = found.length ? Math.min(...found) : thisYear;
  // The latest year with payouts (this year, once its first payroll has run), else the
  // latest with any data: a new year's first morning shows last year's figures, not zeros.
  const latest = paid.length ? Math.max(...paid) : found.length ? Math.max(...found) : thisYear;
  const years = [];
  for (let y = thisYear; y >= first; y -= 1) years.push(y);

  const bound = viewer && viewer.street;
  const streets = bound ? [viewer.street] : [...new Set([
    ...(data.caseload || []).map((r) => r.street), ...(data.bedStats || []).map((r) => r.street),
  ].filter(Boolean))].sort((a, b) => a.localeCompare(b, "zh-CN"));

  let saved = {};
  try {
    saved = JSON.parse(sessionStorage.getItem(CHOICE_KEY) || "{}");
  } catch {
    saved = {};
  }
  state.year = years.includes(saved.year) ? saved.year : latest;
  state.street = bound ? viewer.street : streets.includes(saved.street) ? saved.street : "";

  const year = document.getElementById("year");
  year.replaceChildren(...years.map((y) => el("option", { value: y }, String(y))));
  year.value = String(state.year);
  const street = document.getElementById("street");
  street.replaceChildren(
    ...(bound ? [] : [el("option", { value: "", "data-district": "" }, t("dash.choice.district"))]),
    ...streets.map((s) => el("option", { value: s }, s)),
  );
  street.value = state.street;
  street.disabled = Boolean(bound);
  year.disabled = false;
}

function fillStreetLabel() {
  const district = document.querySelector("#street option[data-district]");
  if (district) district.textContent = t("dash.choice.district");
}

/** No token: the choices are empty and disabled. */
export function clearChoices() {
  for (const id of ["year", "street"]) {
    const select = document.getElementById(id);
    select.replaceChildren();
    select.disabled = true;
  }
}

/** The sign-out button shows only with a token. */
export function showSignOut() {
  document.querySelector('[data-action="sign-out"]').hidden = !state.token;
}
