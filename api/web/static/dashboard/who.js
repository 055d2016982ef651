// Who you are: the `viewer` answer for the token (user, role, area, what the role may read,
// whether personal data shows in full), or a friendly prompt when there is no token.
import { el, gql, onLanguage, t } from "./core.js";
import { named } from "./messages.js";

const VIEWER = `{ viewer {
  user role street grants expiresAt personalData streams
  reads { family fields area allowed }
} }`;

let shown = { kind: "prompt" }; // what the panel shows, drawn again on a language change

export async function loadViewer() {
  const data = await gql(VIEWER);
  return data.viewer;
}

function box() {
  return document.querySelector('[data-panel="who"]');
}

function draw() {
  const node = box();
  if (!node) return;
  node.dataset.state = shown.kind === "viewer" ? "ok" : shown.kind;
  if (shown.kind === "viewer") node.replaceChildren(...viewerNodes(shown.viewer));
  else if (shown.kind === "error") {
    node.replaceChildren(el("p", { class: "problem" }, t(shown.refused ? "dash.who.bad" : "dash.who.unknown", { message: shown.message })));
  }
  else node.replaceChildren(el("p", { class: "hint" }, t("dash.who.prompt.title")));
}

export function showViewer(viewer) {
  shown = { kind: "viewer", viewer };
  draw();
}

export function showPrompt() {
  shown = { kind: "prompt" };
  draw();
}

/** The viewer could not be read: `refused` when the server refused the token itself. */
export function showProblem(message, refused = false) {
  shown = { kind: "error", message, refused };
  draw();
}

function viewerNodes(v) {
  const fact = (label, field, value, text) =>
    el("span", { class: "who-fact" }, el("span", { class: "who-label" }, label), " ",
      el("strong", { "data-field": field, "data-value": value ?? "" }, text));
  const facts = el(
    "div", { class: "who-facts" },
    fact(t("dash.who.user"), "user", v.user, v.user),
    fact(t("dash.who.role"), "role", v.role, `${named("role", v.role)} (${v.role})`),
    fact(t("dash.who.area"), "area", v.street ?? "", v.street || t("dash.choice.district")),
    fact(t("dash.who.personal"), "personalData", v.personalData, t(`dash.who.personal.${v.personalData}`)),
    fact(t("dash.who.streams"), "streams", String(v.streams), v.streams ? t("dash.who.streams.yes") : t("dash.who.streams.no")),
    v.expiresAt ? fact(t("dash.who.expires"), "expiresAt", v.expiresAt, new Date(v.expiresAt).toLocaleString(document.documentElement.lang)) : null,
  );
  const reads = (allowed) => v.reads.filter((r) => r.allowed === allowed);
  const item = (r) => el("li", { "data-family": r.family, "data-allowed": String(r.allowed), title: r.fields.join(", ") },
    named("family", r.family));
  return [
    facts,
    el("details", { class: "who-reads" },
      el("summary", {}, `${t("dash.who.maySee")}: ${reads(true).map((r) => named("family", r.family)).join("、")}`),
      el("ul", { "data-field": "reads" }, reads(true).map(item)),
      reads(false).length ? el("p", { class: "note" }, `${t("dash.who.mayNotSee")}: ${reads(false).map((r) => named("family", r.family)).join("、")}`) : null),
  ];
}

onLanguage(draw);

