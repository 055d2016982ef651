// Monthly payout totals by programme for the year: a stacked bar chart and the same numbers
// in a table, each cell linked to the payouts behind it.
import { el, gql, link, t, wan } from "../core.js";
import { bars } from "../charts.js";
import { area, distinct, empty, figure, monthsOf, scope, table } from "../figures.js";
import { named } from "../messages.js";
import { panel } from "../registry.js";

const PROGRAMMES = ["DIBAO", "TEKUN", "DIBAO_EDGE", "HARDSHIP"];

panel({
  name: "payouts",
  wide: true,
  areas: ["payroll"],
  async load({ year, street }, { minPosition }) {
    const data = await gql(
      `query($filter: PayoutFilter) {
        payoutTotals(groupBy: ["month", "programme"], filter: $filter) { month programme payouts amountFen }
      }`,
      { filter: { year, street: street || null } },
      { minPosition },
    );
    return data.payoutTotals;
  },
  render(rows, { year, street }) {
    const where = scope(t("dash.scope.year", { year, area: area(street) }));
    if (!rows.length) return [where, empty()];
    const months = distinct(rows, "month");
    const programmes = distinct(rows, "programme", PROGRAMMES);
    const at = (month, programme) => rows.find((r) => r.month === month && r.programme === programme);
    const axis = [...new Set([...monthsOf(year), ...months])].sort();
    const box = el("div", { class: "chart" });
    queueMicrotask(() => bars(
      box, axis,
      programmes.map((p) => ({ name: named("programme", p), values: axis.map((m) => (at(m, p)?.amountFen ?? 0) / 1_000_000) })),
      { stack: true, format: (v) => `${Number(v).toFixed(2)} ${t("dash.unit.wan")}` },
    ));
    const cell = (month, programme) => {
      const row = at(month, programme);
      return row ? figure(`payouts.${month}.${programme}`, row.amountFen, wan(row.amountFen),
        link("payouts", { month, programme, street, year })) : "—";
    };
    const sum = (list) => list.reduce((s, r) => s + r.amountFen, 0);
    const body = months.map((m) => [m, ...programmes.map((p) => cell(m, p)), wan(sum(rows.filter((r) => r.month === m)))]);
    const foot = [t("dash.table.total"), ...programmes.map((p) => wan(sum(rows.filter((r) => r.programme === p)))), wan(sum(rows))];
    return [where, box, table([t("dash.col.month"), ...programmes.map((p) => named("programme", p)), t("dash.table.total")], body, foot, t("dash.col.amount"))];
  },
});
