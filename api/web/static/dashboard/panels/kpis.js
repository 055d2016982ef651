// Headline figures (DOMAIN.md section 5, `supervisionKpis`) for the year and street chosen,
// each against the plan's target where there is one: converted beds against the district's
// 2024 plan (only in that year; a street sees the district's target as context), villages
// against the conversions on record (whatever the year, and saying so).
import { count, el, gql, link, pct, t, wan } from "../core.js";
import { area, bar, card, figure, scope } from "../figures.js";
import { panel } from "../registry.js";

const FIELDS = `year dibaoHouseholdsConfirmed tekunPeopleConfirmed casesInPaymentAtYearEnd
  payoutsSettled payoutsSettledFen temporaryHouseholds temporaryPeople temporaryAmountFen
  deathsVerified institutions institutionalBeds nursingBedShare institutionsGradedPercent
  caregiversCertifiedPercent bedsConverted bedsConversionTarget organizationsRegistered
  organizationsGradedPercent villagesPlanned villagesCompleted`;

const NO_LIST = {
  yearEnd: "dash.noList.yearEnd", institutions: "dash.noList.institutions",
  temporary: "dash.noList.temporary", deaths: "dash.noList.deaths", percent: "dash.noList.percent",
  organizations: "dash.noList.organizations",
};

// [field, format, unit, the list behind it (or null), why there is no list (or null)]
const CARDS = [
  ["dibaoHouseholdsConfirmed", count, null, (c) => link("cases", { programme: "DIBAO", confirmedIn: c.year, street: c.street })],
  ["tekunPeopleConfirmed", count, null, (c) => link("cases", { programme: "TEKUN", confirmedIn: c.year, street: c.street })],
  ["casesInPaymentAtYearEnd", count, null, null, "yearEnd"],
  ["payoutsSettledFen", wan, "dash.unit.wan", (c) => link("payouts", { year: c.year, street: c.street, status: "settled" })],
  ["payoutsSettled", count, null, (c) => link("payouts", { year: c.year, street: c.street, status: "settled" })],
  // No list of temporary-assistance cases in the API: the figures open the page that says so.
  ["temporaryAmountFen", wan, "dash.unit.wan", () => link("temporary"), "temporary"],
  ["temporaryHouseholds", count, null, () => link("temporary"), "temporary"],
  ["temporaryPeople", count, null, () => link("temporary"), "temporary"],
  ["deathsVerified", count, null, null, "deaths"],
  ["institutions", count, null, null, "institutions"],
  ["institutionalBeds", count, null, null, "institutions"],
  ["nursingBedShare", pct, null, null, "percent"],
  ["institutionsGradedPercent", pct, null, null, "percent"],
  ["caregiversCertifiedPercent", pct, null, null, "percent"],
  ["organizationsRegistered", count, null, null, "organizations"],
  ["organizationsGradedPercent", pct, null, null, "percent"],
];

// The plan the targets belong to: the bed-conversion plan's year and target (bedConversions'
// default), and the years the village conversions started in. Each its own request beside the
// figures (a refused non-null field would null a shared answer): a role that may not read
// them still gets its figures, only without the plan.
const PLAN = "query { bedConversions(first: 1) { progress { year target } } }";
const VILLAGES = `query($street: String) {
  villageConversions(filter: {street: $street}, first: 100) { edges { node { initiatedOn } } } }`;

panel({
  name: "kpis",
  wide: true,
  areas: ["assistance", "payroll", "temporary", "care", "organizations", "villages", "deaths"],
  async load({ year, street }, { minPosition }) {
    // The street argument only when a street is chosen: the district's figures need none.
    const query = street
      ? `query($year: Int!, $street: String) { supervisionKpis(year: $year, street: $street) { ${FIELDS} } }`
      : `query($year: Int!) { supervisionKpis(year: $year) { ${FIELDS} } }`;
    const [data, plan, villages] = await Promise.all([
      gql(query, street ? { year, street } : { year }, { minPosition }),
      gql(PLAN, {}, { minPosition }).then((d) => d.bedConversions.progress, () => null),
      gql(VILLAGES, { street: street || null }, { minPosition }).then((d) => d.villageConversions.edges, () => []),
    ]);
    const started = villages.map((e) => Number(String(e.node.initiatedOn).slice(0, 4)));
    return { ...data.supervisionKpis, plan, villageYears: [...new Set(started)].sort() };
  },
  render(k, choice) {
    const beds = bedTarget(k, choice);
    const years = k.villageYears.join("、");
    const targets = el(
      "div", { class: "targets" },
      beds,
      target("villagesCompleted", k.villagesCompleted, "villagesPlanned", k.villagesPlanned, null,
        years ? t("dash.kpi.villagesAllYears", { years }) : null),
    );
    const cards = el("div", { class: "cards" }, CARDS.map(([field, format, unit, href, why]) =>
      card(t(`dash.kpi.${field}`),
        figure(`kpis.${field}`, k[field], format(k[field]), href ? href(choice) : null, why ? t(NO_LIST[why]) : null),
        null, unit ? t(unit) : null)));
    return [scope(t("dash.scope.year", { year: choice.year, area: area(choice.street) })), targets, cards];
  },
});

/** Converted beds against the plan's target, only in the plan's year and for the district. A
 * street shows its conversions with the district's target as context, not as its denominator;
 * another year shows its conversions alone, saying which year the target belongs to. */
function bedTarget(k, { year, street }) {
  const plan = k.plan;
  const converted = figure("kpis.bedsConverted", k.bedsConverted, count(k.bedsConverted), null, t("dash.noList.bedsConverted"));
  if (plan && plan.year === year && !street) {
    return target("bedsConverted", k.bedsConverted, "bedsConversionTarget", k.bedsConversionTarget, "dash.unit.beds",
      t("dash.kpi.planYear", { year: plan.year }));
  }
  const note = !plan ? null
    : plan.year === year ? t("dash.kpi.districtTarget", { target: count(plan.target), year: plan.year })
      : t("dash.kpi.noPlan", { year: plan.year });
  return el("div", { class: "card target" },
    el("div", { class: "card-label" }, t("dash.kpi.bedsConverted")),
    el("div", { class: "card-value" }, converted, el("span", { class: "unit" }, t("dash.unit.beds"))),
    note ? el("div", { class: "card-note", "data-note": "bedsTarget" }, note) : null);
}

/** A figure against its target: the two figures, the share done and a bar. */
function target(field, value, targetField, goal, unit, note = null) {
  const share = goal ? (100 * value) / goal : null;
  return el(
    "div", { class: "card target" },
    el("div", { class: "card-label" }, t(`dash.kpi.${field}`)),
    el("div", { class: "card-value" },
      figure(`kpis.${field}`, value, count(value), null, field === "bedsConverted" ? t("dash.noList.bedsConverted") : null),
      el("span", { class: "of" }, " / "),
      figure(`kpis.${targetField}`, goal, count(goal)),
      unit ? el("span", { class: "unit" }, t(unit)) : null),
    bar(share),
    el("div", { class: "card-note" }, t("dash.kpi.ofTarget", { percent: pct(share) }), note ? ` · ${note}` : null),
  );
}
