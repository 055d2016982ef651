// Caseload by street and status, as it stands now (not by year, and the panel says so): a
// stacked bar per street and the table behind it, each count linked to those cases.
import { count, el, gql, link, t } from "../core.js";
import { bars } from "../charts.js";
import { area, distinct, empty, figure, scope, table } from "../figures.js";
import { named } from "../messages.js";
import { panel } from "../registry.js";

export const STATUSES = ["submitted", "accepted", "active", "suspended", "denied", "terminated"];

panel({
  name: "caseload",
  wide: true,
  areas: ["assistance"],
  async load({ street }, { minPosition }) {
    const data = await gql(`{ caseload(groupBy: ["street", "status"]) { street status cases } }`, {}, { minPosition });
    // The API narrows a street-bound caller to its street; a chosen street narrows it here.
    return data.caseload.filter((r) => !street || r.street === street);
  },
  render(rows, { street }) {
    const where = scope(t("dash.scope.current", { area: area(street) }));
    if (!rows.length) return [where, empty()];
    const streets = distinct(rows, "street");
    const statuses = distinct(rows, "status", STATUSES);
    const at = (s, st) => rows.find((r) => r.street === s && r.status === st);
    const box = el("div", { class: "chart" });
    queueMicrotask(() => bars(box, streets,
      statuses.map((st) => ({ name: named("status", st), values: streets.map((s) => at(s, st)?.cases ?? 0) })),
      { stack: true, horizontal: true, format: (v) => `${v} ${t("dash.unit.cases")}` }));
    const cell = (s, st) => {
      const row = at(s, st);
      return row ? figure(`caseload.${s}.${st}`, row.cases, count(row.cases), link("cases", { street: s, status: st })) : "—";
    };
    const total = (list) => count(list.reduce((n, r) => n + r.cases, 0));
    const body = streets.map((s) => [s, ...statuses.map((st) => cell(s, st)), total(rows.filter((r) => r.street === s))]);
    const foot = streets.length > 1
      ? [t("dash.table.total"), ...statuses.map((st) => total(rows.filter((r) => r.status === st))), total(rows)]
      : null;
    return [where, el("div", { class: "split" }, box,
      table([t("dash.col.street"), ...statuses.map((st) => named("status", st)), t("dash.table.total")], body, foot))];
  },
});
