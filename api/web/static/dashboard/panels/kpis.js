// Headline figures (DOMAIN.md section 5, `supervisionKpis`), each against the plan's target
// where there is one: converted beds against bedsConversionTarget, villages against the plan.
import { count, el, gql, link, pct, t, wan } from "../core.js";
import { bar, card, figure } from "../figures.js";
import { panel } from "../registry.js";

const FIELDS = `year dibaoHouseholdsConfirmed tekunPeopleConfirmed casesInPaymentAtYearEnd
  payoutsSettled payoutsSettledFen temporaryHouseholds temporaryPeople temporaryAmountFen
  deathsVerified institutions institutionalBeds nursingBedShare institutionsGradedPercent
  caregiversCertifiedPercent bedsConverted bedsConversionTarget organizationsRegistered
  organizationsGradedPercent villagesPlanned villagesCompleted`;

// [field, format, unit, the list behind it (or null)]
const CARDS = [
  ["dibaoHouseholdsConfirmed", count, null, (c) => link("cases", { programme: "DIBAO", confirmedIn: c.year, street: c.street })],
  ["tekunPeopleConfirmed", count, null, (c) => link("cases", { programme: "TEKUN", confirmedIn: c.year, street: c.street })],
  ["casesInPaymentAtYearEnd", count, null, null],
  ["payoutsSettledFen", wan, "dash.unit.wan", (c) => link("payouts", { year: c.year, street: c.street, status: "settled" })],
  ["payoutsSettled", count, null, (c) => link("payouts", { year: c.year, street: c.street, status: "settled" })],
  ["temporaryAmountFen", wan, "dash.unit.wan", null],
  ["temporaryHouseholds", count, null, null],
  ["temporaryPeople", count, null, null],
  ["deathsVerified", count, null, null],
  ["institutions", count, null, null],
  ["institutionalBeds", count, null, null],
  ["nursingBedShare", pct, null, null],
  ["institutionsGradedPercent", pct, null, null],
  ["caregiversCertifiedPercent", pct, null, null],
  ["organizationsRegistered", count, null, null],
  ["organizationsGradedPercent", pct, null, null],
];

panel({
  name: "kpis",
  wide: true,
  areas: ["assistance", "payroll", "temporary", "care", "organizations", "villages", "deaths"],
  async load({ year, street }, { minPosition }) {
    // The street argument only when a street is chosen: the district's figures need none.
    const query = street
      ? `query($year: Int!, $street: String) { supervisionKpis(year: $year, street: $street) { ${FIELDS} } }`
      : `query($year: Int!) { supervisionKpis(year: $year) { ${FIELDS} } }`;
    const data = await gql(query, street ? { year, street } : { year }, { minPosition });
    return data.supervisionKpis;
  },
  render(k, choice) {
    const targets = el(
      "div", { class: "targets" },
      target("bedsConverted", k.bedsConverted, "bedsConversionTarget", k.bedsConversionTarget, "dash.unit.beds"),
      target("villagesCompleted", k.villagesCompleted, "villagesPlanned", k.villagesPlanned, null),
    );
    const cards = el("div", { class: "cards" }, CARDS.map(([field, format, unit, href]) =>
      card(t(`dash.kpi.${field}`), figure(`kpis.${field}`, k[field], format(k[field]), href ? href(choice) : null), null, unit ? t(unit) : null)));
    return [targets, cards];
  },
});

/** A figure against its target: the two figures, the share done and a bar. */
function target(field, value, targetField, goal, unit) {
  const share = goal ? (100 * value) / goal : null;
  return el(
    "div", { class: "card target" },
    el("div", { class: "card-label" }, t(`dash.kpi.${field}`)),
    el("div", { class: "card-value" },
      figure(`kpis.${field}`, value, count(value)),
      el("span", { class: "of" }, " / "),
      figure(`kpis.${targetField}`, goal, count(goal)),
      unit ? el("span", { class: "unit" }, t(unit)) : null),
    bar(share),
    el("div", { class: "card-note" }, t("dash.kpi.ofTarget", { percent: pct(share) })),
  );
}
