// The header's controls: the token form, the demo roles (GET /dev/tokens, development only),
// the year and street choices, the language toggle and the static labels ([data-text]).
import { el, gql, onLanguage, setLang, setToken, state, t } from "./core.js";
import { named } from "./messages.js";

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
  relabelDevRoles();
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
    tokens.map((entry) => el("option", { value: entry.user, "data-dev-label": "" }, devLabel(entry))));
  select.addEventListener("change", () => {
    const entry = tokens.find((e) => e.user === select.value);
    setToken(entry ? entry.token : "");
    changed("identity");
  });
  holder.append(select);
  holder.hidden = false;
  devTokens = tokens;
  markDevRole(state.viewer?.user);
}

let devTokens = [];

/** A demo role in the page's language: its role, its area, and whether it sees personal data
 * in full ("监管人员 · 全区"); the server's English label only as the option's title. */
function devLabel(entry) {
  const parts = [named("role", entry.role), entry.street || t("dash.choice.district")];
  if ((entry.grants || []).includes("pii")) parts.push(t("dash.who.devPii"));
  return parts.join(" · ");
}

function relabelDevRoles() {
  for (const option of document.querySelectorAll("#dev-role option[data-dev-label]")) {
    const entry = devTokens.find((e) => e.user === option.value);
    if (entry) option.textContent = devLabel(entry);
  }
}

/** Show the demo role the token belongs to, if it is one (none: "pick a role"). */
export function markDevRole(user) {
  const select = document.getElementById("dev-role");
  if (!select) return;
  select.value = [...select.options].some((o) => o.value === user) ? user : "";
}

/** What the choices are made of: the years with payouts or temporary assistance, and the
 * streets with cases or institutions (asked beside the viewer, so the page opens sooner).
 * Each source is its own request: a source the role may not read (payroll is district-wide,
 * so a street-bound caller is refused it) is null and costs the others nothing. */
export async function askChoices() {
  const one = (query, pick) => gql(query).then(pick, () => null);
  const [payouts, temporary, caseload, beds] = await Promise.all([
    one(`{ payoutTotals(groupBy: ["month"]) { month } }`, (d) => d.payoutTotals),
    one(`{ temporaryAssistanceStats(groupBy: ["year"]) { year } }`, (d) => d.temporaryAssistanceStats),
    one(`{ caseload(groupBy: ["street"]) { street } }`, (d) => d.caseload),
    one(`{ bedStats(groupBy: ["street"]) { street } }`, (d) => d.bedStats),
  ]);
  return { payouts, temporary, caseload, beds };
}

/** The year the page opens on: the latest complete year (before this one) with data in every
 * year source the caller may read (payouts and temporary assistance: a full set of figures,
 * not a thin year with one payroll month and no temporary aid); else this year, when it has
 * them all; else the latest year with any data; else this year. */
export function openingYear(sources, thisYear) {
  const readable = sources.filter((years) => years !== null);
  const all = readable.flat();
  if (!all.length) return thisYear;
  const full = [...new Set(all)].filter((y) => readable.every((years) => !years.length || years.includes(y)));
  const complete = full.filter((y) => y < thisYear);
  return complete.length ? Math.max(...complete) : full.length ? Math.max(...full) : Math.max(...all);
}

/** Years from the first with data to this year; streets from the caseload and the beds (a
 * street-bound caller: its street only). Keeps the tab's last choice while it is offered. */
export function fillChoices(viewer, data) {
  const thisYear = new Date().getFullYear();
  const inRange = (list) => (list === null ? null : list.filter((y) => Number.isInteger(y) && y <= thisYear));
  const paid = inRange(data.payouts && data.payouts.map((r) => Number(String(r.month).slice(0, 4))));
  const aided = inRange(data.temporary && data.temporary.map((r) => r.year));
  const found = [...(paid || []), ...(aided || [])];
  const first = found.length ? Math.min(...found) : thisYear;
  const latest = openingYear([paid, aided], thisYear);
  const years = [];
  for (let y = thisYear; y >= first; y -= 1) years.push(y);

  const bound = viewer && viewer.street;
  const streets = bound ? [viewer.street] : [...new Set([
    ...(data.caseload || []).map((r) => r.street), ...(data.beds || []).map((r) => r.street),
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
