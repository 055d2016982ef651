// Nursing-bed share (护理型床位占比) for the district or the street, and the bed-conversion
// pipeline (四床融合) by status with the year's progress against the plan (300 beds).
import { count, el, gql, link, pct, t } from "../core.js";
import { bars } from "../charts.js";
import { bar, card, figure, table } from "../figures.js";
import { named } from "../messages.js";
import { panel } from "../registry.js";

const STEPS = ["applied", "inspected", "inspection_failed", "approved", "completed", "rejected"];
const SHARE = "institutionalBeds nursingBeds nursingShare";

panel({
  name: "beds",
  areas: ["care"],
  async load({ year, street }, { minPosition }) {
    const data = await gql(
      `query($year: Int!, $street: String, $byStreet: Boolean!) {
        district: bedStats @skip(if: $byStreet) { street ${SHARE} }
        streets: bedStats(groupBy: ["street"]) @include(if: $byStreet) { street ${SHARE} }
        bedConversions(filter: {street: $street}, year: $year, first: 1) {
          byStatus { status conversions beds }
          progress { year target converted approvedInProgress pending remaining percent }
        }
      }`,
      { year, street: street || null, byStreet: Boolean(street) },
      { minPosition },
    );
    const share = street ? (data.streets || []).find((r) => r.street === street) : (data.district || [])[0];
    return { share: share || null, ...data.bedConversions };
  },
  render({ share, byStatus, progress }, { street }) {
    const shareCard = card(
      t("dash.beds.share"),
      figure("beds.nursingShare", share?.nursingShare, pct(share?.nursingShare)),
      [t("dash.beds.nursingOf"), " ",
        figure("beds.nursingBeds", share?.nursingBeds ?? 0, count(share?.nursingBeds ?? 0)), " / ",
        figure("beds.institutionalBeds", share?.institutionalBeds ?? 0, count(share?.institutionalBeds ?? 0))],
    );
    const step = (key) => [t(`dash.beds.${key}`), " ", figure(`beds.${key}`, progress[key], count(progress[key]))];
    const progressCard = el(
      "div", { class: "card target" },
      el("div", { class: "card-label" }, t("dash.beds.progress", { year: progress.year })),
      el("div", { class: "card-value" },
        figure("beds.converted", progress.converted, count(progress.converted)),
        el("span", { class: "of" }, " / "),
        figure("beds.target", progress.target, count(progress.target)),
        el("span", { class: "unit" }, t("dash.unit.beds"))),
      bar(progress.percent),
      el("div", { class: "card-note" },
        figure("beds.percent", progress.percent, pct(progress.percent)), " · ",
        step("approvedInProgress"), " · ", step("pending"), " · ", step("remaining")),
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
    return [el("div", { class: "pair" }, shareCard, progressCard), box,
      table([t("dash.col.status"), t("dash.col.conversions"), t("dash.col.beds")], body)];
  },
});
