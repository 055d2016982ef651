// Temporary assistance (临时救助) paid in the year, by month and type (emergency, expenditure).
import { el, gql, link, t, wan } from "../core.js";
import { bars } from "../charts.js";
import { area, distinct, empty, figure, monthsOf, scope, table } from "../figures.js";
import { named } from "../messages.js";
import { panel } from "../registry.js";

const TYPES = ["EMERGENCY", "EXPENDITURE"];

panel({
  name: "temporary",
  areas: ["temporary"],
  async load({ year, street }, { minPosition }) {
    const data = await gql(
      `query($year: Int, $street: String) {
        temporaryAssistanceStats(year: $year, groupBy: ["month", "type"], street: $street) {
          month type households people amountFen
        }
      }`,
      { year, street: street || null },
      { minPosition },
    );
    return data.temporaryAssistanceStats;
  },
  render(rows, { year, street }) {
    const where = scope(t("dash.scope.year", { year, area: area(street) }));
    if (!rows.length) return [where, empty()];
    const months = distinct(rows, "month");
    const types = distinct(rows, "type", TYPES);
    const at = (m, ty) => rows.find((r) => r.month === m && r.type === ty);
    const axis = [...new Set([...monthsOf(year), ...months])].sort();
    const box = el("div", { class: "chart" });
    queueMicrotask(() => bars(box, axis,
      types.map((ty) => ({ name: named("type", ty), values: axis.map((m) => (at(m, ty)?.amountFen ?? 0) / 1_000_000) })),
      { stack: true, format: (v) => `${Number(v).toFixed(2)} ${t("dash.unit.wan")}` }));
    const cell = (m, ty) => {
      const row = at(m, ty);
      // The API has no list of temporary-assistance cases: the cell opens the page saying so.
      return row ? figure(`temporary.${m}.${ty}`, row.amountFen, wan(row.amountFen), link("temporary"), t("dash.noList.temporary")) : "—";
    };
    const sum = (list, key) => list.reduce((s, r) => s + r[key], 0);
    const body = months.map((m) => [m, ...types.map((ty) => cell(m, ty)), wan(sum(rows.filter((r) => r.month === m), "amountFen"))]);
    const foot = [t("dash.table.total"), ...types.map((ty) => wan(sum(rows.filter((r) => r.type === ty), "amountFen"))), wan(sum(rows, "amountFen"))];
    return [where, box, table([t("dash.col.month"), ...types.map((ty) => named("type", ty)), t("dash.table.total")], body, foot, t("dash.col.amount"))];
  },
});
