// Social organisations (社会组织) by grade at the year's end: registered, graded and the share,
// and the count at each grade 1A to 5A. The view keeps them for the district only. Each count
// links to the list as of the same date (`asOf`), so a past year's figure and its list agree.
import { addMessages, count, el, gql, link, pct, t } from "../core.js";
import { bars } from "../charts.js";
import { card, figure, scope, table } from "../figures.js";
import { named } from "../messages.js";
import { panel } from "../registry.js";

const GRADES = ["1A", "2A", "3A", "4A", "5A"];

addMessages({
  zh: { "dash.organizations.asOf": "截至 {date} 的状态；点击数字打开同日的名单。" },
  en: { "dash.organizations.asOf": "As on {date}; each figure opens the list as on that day." },
});

panel({
  name: "organizations",
  areas: ["organizations"],
  async load({ year }, { minPosition }) {
    const data = await gql(
      `query($year: Int) {
        organizationStats(year: $year) { asOf registered graded gradedPercent byGrade { grade organizations } }
      }`,
      { year },
      { minPosition },
    );
    return data.organizationStats;
  },
  render(stats, { year }) {
    const grades = [...GRADES, ...stats.byGrade.map((g) => g.grade).filter((g) => !GRADES.includes(g))];
    const gradeName = (g) => named("grade", g);
    const at = (g) => stats.byGrade.find((r) => r.grade === g)?.organizations ?? 0;
    const box = el("div", { class: "chart short" });
    queueMicrotask(() => bars(box, grades.map(gradeName), [{ name: t("dash.col.organizations"), values: grades.map(at) }],
      { format: (v) => String(v) }));
    const headline = card(
      t("dash.kpi.organizationsGradedPercent"),
      figure("organizations.gradedPercent", stats.gradedPercent, pct(stats.gradedPercent)),
      [figure("organizations.graded", stats.graded, count(stats.graded)), " / ",
        figure("organizations.registered", stats.registered, count(stats.registered), link("organizations", { asOf: stats.asOf })),
        ` · ${t("dash.kpi.organizationsRegistered")}`],
    );
    return [
      scope(t("dash.scope.yearEnd", { year: stats.asOf ? String(stats.asOf).slice(0, 4) : year, area: t("dash.panel.districtWide") })),
      el("p", { class: "note", "data-note": "as-of" }, t("dash.organizations.asOf", { date: stats.asOf })),
      headline, box,
      table([t("dash.col.grade"), t("dash.col.organizations")],
        grades.map((g) => [gradeName(g), figure(`organizations.${g}`, at(g), count(at(g)), link("organizations", { asOf: stats.asOf, grade: g }))])),
    ];
  },
});
