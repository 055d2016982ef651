// One list page behind a figure (#/cases?..., #/payouts?..., ...): the filter from the URL
// (only the keys the list knows, in the types GraphQL wants; the rest is ignored, never sent),
// as removable chips, the total, a Relay page with a "next page" link, rows linking to their
// case, and a debounced refresh when events of the list's area arrive.
import { addMessages, current, el, link, route, state, t } from "./core.js";
import {
  aggregateOf, alive, backLinks, begin, chips, claim, gqlPersonal, live, setTitle, showFailure,
  table,
} from "./drill-common.js";
import { nameOf } from "./drill-names.js";

addMessages({
  zh: {
    "drill.ignored": "已忽略无法识别的筛选值：{keys}",
    "drill.ownStreet": "当前身份只能查看{street}的记录，其他街道的不在此列。",
  },
  en: {
    "drill.ignored": "Ignored filter values it could not read: {keys}",
    "drill.ownStreet": "Your role sees the records of {street} only; other streets' are not listed.",
  },
});

const PAGE = 50;

/** Kinds of a URL parameter: "text", "int" (a year), "bool", "month", "date" (YYYY-MM-DD),
 * or a list of codes. */
function parseValue(kind, raw) {
  const text = String(raw).trim();
  if (!text || text.length > 100) return undefined;
  if (kind === "int") return /^\d{1,4}$/.test(text) ? Number(text) : undefined;
  if (kind === "bool") return text === "true" ? true : text === "false" ? false : undefined;
  if (kind === "month") return /^\d{4}-(0[1-9]|1[0-2])$/.test(text) ? text : undefined;
  if (kind === "date") return /^\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])$/.test(text) ? text : undefined;
  if (Array.isArray(kind)) return kind.includes(text) ? text : undefined;
  return text;
}

/** The filter the URL asks for: known keys only, each parsed; `ignored` the unreadable ones. */
export function parseFilter(kinds, params) {
  const filter = {};
  const ignored = [];
  for (const [key, kind] of Object.entries(kinds)) {
    if (!(key in params)) continue;
    const value = parseValue(kind, params[key]);
    if (value === undefined) ignored.push(key);
    else filter[key] = value;
  }
  return { filter, ignored };
}

function cursorFrom(params) {
  const raw = params.after;
  return raw && /^[A-Za-z0-9+/=_-]{1,200}$/.test(raw) ? raw : null;
}

/** The list's query; `spec.beside` adds root fields of the same filter (e.g. a total). */
function query(spec, personal) {
  const fields = personal && spec.personal ? `${spec.fields} ${spec.personal}` : spec.fields;
  return `query Drill($filter: ${spec.filterType}, $first: Int!, $after: String) {
    ${spec.root}(filter: $filter, first: $first, after: $after) {
      totalCount pageInfo { hasNextPage endCursor } edges { node { ${fields} } } ${spec.more || ""}
    }
    ${spec.beside || ""}
  }`;
}

/** "street: 新闸街道" for a chip, with the code's human name where it has one. */
function chipLabel(spec, key, value) {
  if (spec.chipLabels?.[key]) return spec.chipLabels[key](value);
  const kind = spec.names?.[key];
  const shown = typeof value === "boolean" ? t(value ? "drill.yes" : "drill.no")
    : kind === "rule" ? `${value} ${nameOf(kind, value)}`
    : kind ? nameOf(kind, value) : String(value);
  return `${t(`drill.col.${key}`)}: ${shown}`;
}

/** The hash of this list as it is now, for a case page's way back ("cases?street=..."). */
export function here() {
  const { name, params } = current();
  return link(name, params).slice(2);
}

/** A link to the case page of `caseId`, remembering the list it came from. */
export function caseLink(caseId, text) {
  if (!caseId) return "—";
  return el("a", { href: link("case", { from: here() }, caseId), "data-action": "case" }, text ?? t("drill.open"));
}

/** Register the list `spec` ({name, title, root, filterType, params, fields, personal,
 * columns(personal), rowAttrs, aggregates, names; summary(connection, data) with `more`, the
 * connection's other fields, and `beside`, other root fields taking the same $filter;
 * chipLabels {key: (value) => label}}) as a route. */
export function registerList(spec) {
  claim(spec.name);
  route(spec.name, (params, root) => drawList(spec, params, root));
}

async function drawList(spec, params, root) {
  const ticket = begin();
  const { filter, ignored } = parseFilter(spec.params, params);
  const after = cursorFrom(params);
  const section = el("section", { class: "drill-page", "data-page": spec.name, "data-state": "loading" },
    backLinks(null), el("h2", {}, t(spec.title)), el("p", { class: "drill-muted" }, t("drill.loading")));
  root.replaceChildren(section);
  setTitle(t(spec.title));
  let loaded = 0;
  let latest = 0; // a reload that finishes after a newer one is dropped

  const draw = async (minPosition = null) => {
    const mine = ++latest;
    const variables = { filter: Object.keys(filter).length ? filter : null, first: PAGE, after };
    let answer = null;
    let failure = null;
    try {
      answer = await gqlPersonal((personal) => query(spec, personal), variables, { minPosition });
    } catch (error) {
      failure = error;
    }
    if (!alive(ticket) || mine !== latest) return;
    const head = [
      backLinks(null),
      el("h2", {}, t(spec.title)),
      chips(spec.name, filter, (key, value) => chipLabel(spec, key, value)),
      ignored.length ? el("p", { class: "drill-muted" }, t("drill.ignored", { keys: ignored.join(", ") })) : null,
    ];
    section.replaceChildren(...head.filter(Boolean));
    if (failure) {
      delete section.dataset.total;
      showFailure(section, failure);
      return;
    }
    const connection = answer.data[spec.root];
    const rows = connection.edges.map((edge) => edge.node);
    loaded += 1;
    section.dataset.state = "ok";
    section.dataset.total = String(connection.totalCount);
    section.dataset.loaded = String(loaded);
    const body = [
      el("p", { class: "drill-total", "data-field": "total" }, t("drill.total", { n: connection.totalCount.toLocaleString("zh-CN") })),
      ownStreet(filter),
      spec.summary ? spec.summary(connection, answer.data) : null,
      !answer.personal && spec.personal ? el("p", { class: "drill-note", "data-personal": "held" }, t("drill.personalHeld")) : null,
      rows.length ? table(spec.columns(answer.personal), rows, spec.rowAttrs) : el("p", { class: "drill-muted" }, t("drill.none")),
      pager(spec.name, filter, after, connection.pageInfo),
    ];
    section.append(...body.filter(Boolean));
  };

  await draw();
  if (alive(ticket)) live((event) => spec.aggregates.includes(aggregateOf(event)), draw);
}

/** A street-bound caller who asks for another street gets an empty list: say why. */
function ownStreet(filter) {
  const own = state.viewer?.street;
  if (!own || !filter.street || filter.street === own) return null;
  return el("p", { class: "drill-note", "data-note": "own-street" }, t("drill.ownStreet", { street: own }));
}

function pager(name, filter, after, pageInfo) {
  const links = [];
  if (after) links.push(el("a", { href: link(name, filter), "data-action": "first" }, t("drill.first")));
  if (pageInfo.hasNextPage && pageInfo.endCursor) {
    links.push(el("a", { href: link(name, { ...filter, after: pageInfo.endCursor }), "data-action": "next" }, t("drill.next")));
  }
  return links.length ? el("nav", { class: "drill-pager" }, links) : null;
}
