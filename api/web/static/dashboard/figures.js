// The small pieces every panel draws with: a figure (a number carrying its key and raw
// value, linked to the list behind it), a table, a headline card and a progress bar.
import { el, t } from "./core.js";

/** A number as the DOM contract wants it: data-figure="<panel>.<key>", data-value = the raw
 * GraphQL value, the formatted text as content; an <a> when a list stands behind it. */
export function figure(key, value, text, href = null, title = null) {
  const attrs = { class: "figure", "data-figure": key, "data-value": value ?? "", title };
  return href ? el("a", { ...attrs, href }, text) : el("span", attrs, text);
}

/** The line under a panel's title saying which year and street its figures honour. */
export function scope(text) {
  return el("p", { class: "scope", "data-scope": "" }, text);
}

/** "the whole district" or the street chosen. */
export function area(street) {
  return street || t("dash.choice.district");
}

/** A table: `head` is a list of labels, `rows` a list of cell lists (nodes or text); the
 * first column is a row header. `foot` an optional last row (totals). */
export function table(head, rows, foot = null, caption = null) {
  const cell = (tag, value, i) =>
    el(tag, { class: i === 0 ? "label" : "num", scope: tag === "th" ? (i === 0 ? "row" : null) : null }, value);
  const wrap = el(
    "div",
    { class: "table-wrap", tabindex: "0" },
    el(
      "table",
      {},
      caption ? el("caption", {}, caption) : null,
      el("thead", {}, el("tr", {}, head.map((h, i) => el("th", { scope: "col", class: i === 0 ? "label" : "num" }, h)))),
      el("tbody", {}, rows.map((row) => el("tr", {}, row.map((v, i) => cell(i === 0 ? "th" : "td", v, i))))),
      foot ? el("tfoot", {}, el("tr", {}, foot.map((v, i) => cell(i === 0 ? "th" : "td", v, i)))) : null,
    ),
  );
  const hint = el("p", { class: "scroll-hint", "data-scroll-hint": "", hidden: true }, t("dash.table.scroll"));
  // A table wider than its panel (a phone) scrolls inside it; the hint and an edge shadow say so.
  new ResizeObserver(() => {
    const wider = wrap.scrollWidth > wrap.clientWidth + 1;
    hint.hidden = !wider;
    wrap.toggleAttribute("data-overflow", wider);
  }).observe(wrap);
  return el("div", { class: "table-box" }, wrap, hint);
}

/** A headline card: label, the figure, and an optional line under it (target, unit). */
export function card(label, figureNode, note = null, unit = null) {
  return el(
    "div",
    { class: "card" },
    el("div", { class: "card-label" }, label),
    el("div", { class: "card-value" }, figureNode, unit ? el("span", { class: "unit" }, unit) : null),
    note ? el("div", { class: "card-note" }, note) : null,
  );
}

/** A horizontal progress bar, `percent` 0..100 (capped), decorative: the figure is beside it. */
export function bar(percent) {
  const width = Math.max(0, Math.min(100, Number(percent) || 0));
  return el("div", { class: "bar", role: "presentation" }, el("div", { class: "bar-fill", style: `width: ${width}%` }));
}

/** "No data" for an empty answer. */
export function empty() {
  return el("p", { class: "empty" }, t("dash.panel.empty"));
}

/** Sorted distinct values of `key` in `rows`, in the order `order` gives when known. */
export function distinct(rows, key, order = []) {
  const seen = [...new Set(rows.map((r) => r[key]).filter((v) => v !== null && v !== undefined))];
  const rank = (v) => (order.includes(v) ? order.indexOf(v) : order.length);
  return seen.sort((a, b) => rank(a) - rank(b) || String(a).localeCompare(String(b), "zh-CN"));
}

/** The months of `year` as YYYY-MM, to this month when it is the current year: a chart's
 * axis reads as the year, months without payments at zero. */
export function monthsOf(year) {
  const now = new Date();
  const last = Number(year) === now.getFullYear() ? now.getMonth() + 1 : 12;
  return Array.from({ length: last }, (_, i) => `${year}-${String(i + 1).padStart(2, "0")}`);
}
