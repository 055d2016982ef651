// Village conversions (撤村转居): each village's step of the eight, as it stands now (whatever
// the year chosen), and the years the conversions started in (the 2024 plan's four villages).
import { count, el, gql, link, t } from "../core.js";
import { area, bar, empty, figure, scope, table } from "../figures.js";
import { named } from "../messages.js";
import { panel } from "../registry.js";

panel({
  name: "villages",
  areas: ["villages"],
  async load({ street }, { minPosition }) {
    const data = await gql(
      `query($filter: VillageConversionFilter) {
        villageConversions(filter: $filter, first: 100) {
          edges { node { id village street step stepNumber stepsTotal initiatedOn } }
        }
      }`,
      { filter: { street: street || null } },
      { minPosition },
    );
    return data.villageConversions.edges.map((e) => e.node);
  },
  render(villages, { street }) {
    const years = [...new Set(villages.map((v) => String(v.initiatedOn).slice(0, 4)))].sort().join("、");
    const where = scope(years ? t("dash.scope.villages", { area: area(street), years })
      : t("dash.scope.current", { area: area(street) }));
    if (!villages.length) return [where, empty()];
    const done = villages.filter((v) => v.step === "completed").length;
    const summary = el("p", { class: "note" },
      t("dash.villages.planned", { planned: villages.length, completed: done }));
    const rows = villages
      .slice()
      .sort((a, b) => b.stepNumber - a.stepNumber || a.village.localeCompare(b.village, "zh-CN"))
      .map((v) => [
        el("span", {}, v.village, el("small", {}, ` ${v.street}`)),
        named("step", v.step),
        el("span", { class: "progress-cell" }, bar((100 * v.stepNumber) / v.stepsTotal),
          figure(`villages.${v.village}.stepNumber`, v.stepNumber, `${count(v.stepNumber)}/${v.stepsTotal}`,
            link("villages", { village: v.village, street: v.street }))),
      ]);
    return [where, summary, table([t("dash.col.village"), t("dash.col.step"), t("dash.col.progress")], rows)];
  },
});
