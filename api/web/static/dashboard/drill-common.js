// What the drill-down pages share: their labels, the life of an open page (its live listener
// ends when the user leaves), the refusal and error states, dates, filter chips, and the one
// rule for personal data: ask the API for it, and when the caller would see it in full
// (which needs a stated purpose), ask without it instead of guessing a purpose.
import {
  GraphQLFailure, addMessages, current, el, gql, link, onEvent, onLanguage, render, state, t,
} from "./core.js";

addMessages({
  zh: {
    "drill.overview": "← 返回总览",
    "drill.back": "← 返回列表",
    "drill.loading": "正在加载…",
    "drill.total": "共 {n} 条",
    "drill.next": "下一页",
    "drill.first": "第一页",
    "drill.none": "没有符合条件的记录。",
    "drill.noFilter": "未筛选",
    "drill.filters": "筛选条件",
    "drill.removeFilter": "去掉筛选：{label}",
    "drill.forbidden": "当前身份无权查看此内容。",
    "drill.error": "加载失败：{message}",
    "drill.refused": "服务器拒绝了这次查询：{message}",
    "drill.personalHeld":
      "当前身份可查看完整个人信息，但须说明用途；本页不请求个人信息，因此不显示。",
    "drill.purposeNeeded": "需说明用途",
    "drill.open": "查看",
    "drill.yes": "是",
    "drill.no": "否",
    "drill.updated": "已更新",
    "drill.pageTitle": "{title} · {page}",
  },
  en: {
    "drill.overview": "← Back to the overview",
    "drill.back": "← Back to the list",
    "drill.loading": "Loading…",
    "drill.total": "{n} in all",
    "drill.next": "Next page",
    "drill.first": "First page",
    "drill.none": "Nothing matches these filters.",
    "drill.noFilter": "No filter",
    "drill.filters": "Filters",
    "drill.removeFilter": "Remove the filter: {label}",
    "drill.forbidden": "Your role may not see this.",
    "drill.error": "Could not load: {message}",
    "drill.refused": "The server refused this query: {message}",
    "drill.personalHeld":
      "Your role sees personal data in full only for a stated purpose; this page does not " +
      "ask for it, so it is not shown.",
    "drill.purposeNeeded": "purpose needed",
    "drill.open": "Open",
    "drill.yes": "yes",
    "drill.no": "no",
    "drill.updated": "Updated",
    "drill.pageTitle": "{title} · {page}",
  },
});

// ---- the open page: one at a time; leaving it (or opening another) ends its listeners ----

const MINE = new Set();
let session = 0;
let cleanups = [];

/** Claim a route name for the drill-down (so the hashchange watcher knows what is ours). */
export function claim(name) {
  MINE.add(name);
}

/** Start drawing a page: ends the previous page's listeners; returns this page's ticket. */
export function begin() {
  end();
  session += 1;
  return session;
}

/** True while the page with `ticket` is still the one on screen (an await may outlive it). */
export function alive(ticket) {
  return ticket === session && MINE.has(current().name);
}

export function onLeave(cleanup) {
  cleanups.push(cleanup);
}

function end() {
  for (const cleanup of cleanups.splice(0)) cleanup();
}

window.addEventListener("hashchange", () => {
  if (MINE.has(current().name)) return;
  end();
  if (pageTitle !== null) document.title = pageTitle;
});

// The other language: an open drill-down page is drawn again (the overview redraws its own).
// Not for the page's first setLang, which changes nothing and comes before the viewer is known.
let drawnIn = state.lang;
onLanguage((lang) => {
  if (lang === drawnIn) return;
  drawnIn = lang;
  const view = document.getElementById("view");
  if (view && MINE.has(current().name)) render(view);
});

/** Call `refresh(position)` for the events `wanted(event)` picks, until leaving: at most once
 * per `delay` ms, with the highest position seen, so a burst of events costs one reload. */
export function live(wanted, refresh, delay = 600) {
  let timer = null;
  let position = null;
  const stop = onEvent((event) => {
    if (!wanted(event)) return;
    position = Math.max(position ?? 0, Number(event.position) || 0);
    if (timer) return; // one is due: it will wait for this event's position too
    timer = setTimeout(() => {
      timer = null;
      refresh(position || null);
    }, delay);
  });
  onLeave(() => {
    clearTimeout(timer);
    stop();
  });
}

/** The aggregate part of an event type: "AssistanceCase.ApplicationSubmitted" -> "AssistanceCase". */
export function aggregateOf(event) {
  return String(event?.type || "").split(".")[0];
}

// ---- personal data ----

function purposeRequired(error) {
  return error instanceof GraphQLFailure &&
    error.errors.some((e) => e.extensions?.code === "PURPOSE_REQUIRED");
}

const purposeTokens = new Set();

/** Run `build(withPersonal)`'s query. Personal fields are asked for unless the caller would
 * see them in full (then the API wants a purpose); `personal` says which it was. */
export async function gqlPersonal(build, variables, options = {}) {
  const full = state.viewer ? state.viewer.personalData === "full" : purposeTokens.has(state.token);
  if (!full) {
    try {
      return { data: await gql(build(true), variables, options), personal: true };
    } catch (error) {
      if (!purposeRequired(error)) throw error;
      purposeTokens.add(state.token); // before the viewer is known: learn it once per token
    }
  }
  return { data: await gql(build(false), variables, options), personal: false };
}

// ---- states, dates, cells ----

/** Show a failure in `node` with data-state forbidden (a calm sentence) or error. */
export function showFailure(node, error) {
  const forbidden = error instanceof GraphQLFailure && error.forbidden;
  node.dataset.state = forbidden ? "forbidden" : "error";
  const message = error?.message || String(error);
  node.append(
    el("p", { class: "drill-note", role: "status" }, forbidden ? t("drill.forbidden") : t("drill.error", { message })),
  );
  if (forbidden) node.append(el("p", { class: "drill-reason" }, message));
}

/** An ISO date or timestamp as YYYY-MM-DD (a timestamp in China time, as the bureau dates). */
export function day(value) {
  if (!value) return "—";
  const text = String(value);
  if (/^\d{4}-\d{2}-\d{2}$/.test(text) || /^\d{4}-\d{2}$/.test(text)) return text;
  const when = new Date(text);
  if (Number.isNaN(when.getTime())) return text.slice(0, 10);
  return when.toLocaleDateString("sv-SE", { timeZone: "Asia/Shanghai" });
}

export function yesNo(value) {
  return value ? t("drill.yes") : t("drill.no");
}

/** The first 8 characters of an id, whole in the title attribute. */
export function shortId(id) {
  return id ? el("span", { class: "drill-id", title: id }, String(id).slice(0, 8)) : "—";
}

let pageTitle = null; // the overview's title, put back on leaving the drill-down

export function setTitle(title) {
  pageTitle ??= document.title;
  document.title = t("drill.pageTitle", { title, page: pageTitle });
}

/** The navigation above a page: the overview, and the list it came from when there is one. */
export function backLinks(from) {
  return el(
    "nav",
    { class: "drill-nav" },
    el("a", { href: "#/", "data-action": "overview" }, t("drill.overview")),
    from ? el("a", { href: `#/${from}`, "data-action": "back" }, t("drill.back")) : null,
  );
}

/** The filter as chips, each a link to the same list without that filter. */
export function chips(name, filter, labelOf) {
  const keys = Object.keys(filter);
  if (!keys.length) return el("p", { class: "drill-chips drill-muted" }, t("drill.noFilter"));
  return el(
    "ul",
    { class: "drill-chips", "aria-label": t("drill.filters") },
    keys.map((key) => {
      const rest = { ...filter };
      delete rest[key];
      const label = labelOf(key, filter[key]);
      return el(
        "li",
        { "data-filter": key },
        el("span", {}, label),
        el("a", { href: link(name, rest), "aria-label": t("drill.removeFilter", { label }), "data-action": "remove-filter" }, "×"),
      );
    }),
  );
}

/** A responsive table: `columns` [{label, cell(row)}], `rowAttrs(row)` on each tr. */
export function table(columns, rows, rowAttrs) {
  return el(
    "div",
    { class: "drill-table-wrap" },
    el(
      "table",
      { class: "drill-table" },
      el("thead", {}, el("tr", {}, columns.map((c) => el("th", { scope: "col" }, c.label)))),
      el(
        "tbody",
        {},
        rows.map((row) =>
          // one wrapper per cell: on a phone the cell is a two-column grid (label, value)
          el("tr", rowAttrs(row), columns.map((c) =>
            el("td", { "data-label": c.label }, el("div", { class: "drill-cell" }, c.cell(row))))),
        ),
      ),
    ),
  );
}
