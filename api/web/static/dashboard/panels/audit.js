// Audit findings (DOMAIN.md section 4) by rule and status, each count linked to the findings
// behind it. One auditSummary per status, so the table crosses rule and status.
import { count, el, gql, link, t } from "../core.js";
import { bars } from "../charts.js";
import { area, empty, figure, scope, table } from "../figures.js";
import { named, ruleName } from "../messages.js";
import { panel } from "../registry.js";

const STATUSES = ["raised", "acknowledged", "rectified", "dismissed", "resolved"];

panel({
  name: "audit",
  wide: true,
  areas: ["audit"],
  async load({ street }, { minPosition }) {
    const fields = STATUSES.map((s) =>
      `${s}: auditSummary(groupBy: RULE, filter: {status: "${s}", street: $street}) { key count }`).join("\n");
    const data = await gql(`query($street: String) { ${fields} }`, { street: street || null }, { minPosition });
    return STATUSES.flatMap((status) => data[status].map((r) => ({ rule: r.key, status, count: r.count })));
  },
  render(rows, { street }) {
    const where = scope(t("dash.scope.audit", { area: area(street) }));
    if (!rows.length) return [where, empty()];
    const rules = [...new Set(rows.map((r) => r.rule))].sort();
    const statuses = STATUSES.filter((s) => rows.some((r) => r.status === s));
    const at = (rule, status) => rows.find((r) => r.rule === rule && r.status === status);
    const box = el("div", { class: "chart" });
    queueMicrotask(() => bars(box, rules.map(ruleName),
      statuses.map((s) => ({ name: named("finding", s), values: rules.map((r) => at(r, s)?.count ?? 0) })),
      { stack: true, horizontal: true }));
    const cell = (rule, status) => {
      const row = at(rule, status);
      return row ? figure(`audit.${rule}.${status}`, row.count, count(row.count), link("findings", { rule, status, street })) : "—";
    };
    const total = (list) => count(list.reduce((n, r) => n + r.count, 0));
    const body = rules.map((rule) => [ruleName(rule), ...statuses.map((s) => cell(rule, s)), total(rows.filter((r) => r.rule === rule))]);
    const foot = [t("dash.table.total"), ...statuses.map((s) => total(rows.filter((r) => r.status === s))), total(rows)];
    return [where, el("div", { class: "split" }, box,
      table([t("dash.col.rule"), ...statuses.map((s) => named("finding", s)), t("dash.table.total")], body, foot))];
  },
});
