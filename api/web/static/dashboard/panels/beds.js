// Nursing-bed share (护理型床位占比) for the district or the street at the chosen year's end
// (today, for the current year: the same figure as the KPI card), and the bed-conversion
// pipeline (四床融合) by status, all years so far, with the year's conversions: against the
// district's plan (300 beds in 2024) only in the plan's year, and as context with a street.
import { count, el, gql, link, pct, t } from "../core.js";
import { bars } from "../charts.js";
import { area, bar, card, figure, scope, table } from "../figures.js";
import { named } from "../messages.js";
import { panel } from "../registry.js";

const STEPS = ["applied", "inspected", "inspection_failed", "approved", "completed", "rejected"];
const SHARE = "institutionalBeds nursingBeds nursingShare";

panel({
  name: "beds",
  areas: ["care"],
  async load({ year, street }, { minPosition }) {
    // The plan's year and target (bedConversions' defaults) beside it, for the progress card.
    const [data, plan] = await Promise.all([gql(
      `query($year: Int!, $street: String, $byStreet: Boolean!, $asOf: Date) {
        district: bedStats(asOf: $asOf) @skip(if: $byStreet) { street ${SHARE} }
        streets: bedStats(groupBy: ["street"], asOf: $asOf) @include(if: $byStreet) { street ${SHARE} }
        bedConversions(filter: {street: $street}, year: $year, first: 1) {
          byStatus { status conversions beds }
          progress { year target converted approvedInProgress pending remaining percent }
        }
      }`,
      { year, street: street || null, byStreet: Boolean(street), asOf: yearEnd(year) },
      { minPosition },
    ), gql("{ bedConversions(first: 1) { progress { year target } } }", {}, { minPosition })]);
    const share = street ? (data.streets || []).find((r) => r.street === street) : (data.district || [])[0];
    return { share: share || null, ...data.bedConversions, plan: plan.bedConversions.progress };
  },
  render({ share, byStatus, progress, plan }, { year, street }) {
    const shareCard = card(
      t("dash.beds.share"),
      figure("beds.nursingShare", share?.nursingShare, pct(share?.nursingShare)),
      [t("dash.beds.nursingOf"), " ",
        figure("beds.nursingBeds", share?.nursingBeds ?? 0, count(share?.nursingBeds ?? 0)), " / ",
        figure("beds.institutionalBeds", share?.institutionalBeds ?? 0, count(share?.institutionalBeds ?? 0))],
    );
    const step = (key) => [t(`dash.beds.${key}`), " ", figure(`beds.${key}`, progress[key], count(progress[key]))];
    const planned = progress.year === plan.year && !street; // the district in the plan's year
    const note = planned ? null
      : street ? t("dash.beds.streetNote", { target: count(plan.target), year: plan.year })
        : t("dash.beds.planNote", { target: count(plan.target), year: plan.year });
    const progressCard = el(
      "div", { class: "card target" },
      el("div", { class: "card-label" }, t(planned ? "dash.beds.progress" : "dash.beds.yearDone", { year: progress.year })),
      el("div", { class: "card-value" },
        figure("beds.converted", progress.converted, count(progress.converted)),
        planned ? [el("span", { class: "of" }, " / "), figure("beds.target", progress.target, count(progress.target))] : null,
        el("span", { class: "unit" }, t("dash.unit.beds"))),
      planned ? bar(progress.percent) : null,
      el("div", { class: "card-note" },
        planned ? [figure("beds.percent", progress.percent, pct(progress.percent)), " · "] : null,
        step("approvedInProgress"), " · ", step("pending"),
        planned ? [" · ", ...step("remaining")] : null),
      note ? el("div", { class: "card-note", "data-note": "bedsTarget" }, note) : null,
    );
    const steps = [...STEPS.filter((s) => byStatus.some((r) => r.status === s)),
      ...byStatus.map((r) => r.status).filter((s) => !STEPS.includes(s))];
    const at = (s) => byStatus.find((r) => r.status === s);
    const box = el("div", { class: "chart short" });
    queueMicrotask(() => bars(box, steps.map((s) => named("conversion", s)),
      [{ name: t("dash.col.beds"), values: steps.map((s) => at(s).beds) }],
      { horizontal: true, format: (v) => `${v} ${t("dash.unit.beds")}` }));
    const body = steps.map((s) => [named("conversion", s),
      figure(`beds.${s}.conversions`, at(s).conversions, count(at(s).conversions), link("beds", { status: s, street })),
      figure(`beds.${s}.beds`, at(s).beds, count(at(s).beds), link("beds", { status: s, street }))]);
    return [scope(t("dash.scope.beds", { year, area: area(street) })),
      el("div", { class: "pair" }, shareCard, progressCard), box,
      table([t("dash.col.status"), t("dash.col.conversions"), t("dash.col.beds")], body)];
  },
});

/** The last day of `year` (the share as it stood then), or null for this year (today). */
function yearEnd(year) {
  return Number(year) >= new Date().getFullYear() ? null : `${year}-12-31`;
}
