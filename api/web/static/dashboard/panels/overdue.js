// Cases overdue, by deadline (investigation start, decision, whole case, review), each count
// linked to the cases past that deadline.
import { count, el, gql, link, t } from "../core.js";
import { bars } from "../charts.js";
import { figure, table } from "../figures.js";
import { named } from "../messages.js";
import { panel } from "../registry.js";

const DEADLINES = ["investigation", "decision", "case", "review"];

panel({
  name: "overdue",
  areas: ["assistance", "shared"], // a new business day makes cases late
  async load({ street }, { minPosition }) {
    const data = await gql(
      `query($street: String) { overdueSummary(street: $street) { deadline cases } }`,
      { street: street || null },
      { minPosition },
    );
    return data.overdueSummary;
  },
  render(rows, { street }) {
    const deadlines = [...DEADLINES, ...rows.map((r) => r.deadline).filter((d) => !DEADLINES.includes(d))];
    const cases = (d) => rows.find((r) => r.deadline === d)?.cases ?? 0;
    const box = el("div", { class: "chart short" });
    queueMicrotask(() => bars(box, deadlines.map((d) => named("deadline", d)),
      [{ name: t("dash.col.cases"), values: deadlines.map(cases) }],
      { horizontal: true, format: (v) => `${v} ${t("dash.unit.cases")}` }));
    const body = deadlines.map((d) => [named("deadline", d),
      figure(`overdue.${d}`, cases(d), count(cases(d)), link("cases", { overdueDeadline: d, street }))]);
    return [box, table([t("dash.col.deadline"), t("dash.col.cases")], body)];
  },
});
