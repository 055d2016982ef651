// Deadline breaches by deadline (investigation start, decision, whole case, review), each in
// two parts: overdue now (the step not done, past due today: a file waiting on someone's desk)
// and completed late (done after its due date). Each count links to the cases behind it. The
// figures are today's over all years, whatever year is chosen: the panel says so.
import { addMessages, count, el, gql, link, t } from "../core.js";
import { bars } from "../charts.js";
import { figure, table } from "../figures.js";
import { named } from "../messages.js";
import { panel } from "../registry.js";

addMessages({
  zh: {
    "dash.overdue.open": "正在超期（未办结）",
    "dash.overdue.completedLate": "超期办结",
    "dash.overdue.total": "合计",
    "dash.overdue.note": "当前状态，不分年度：正在超期指该环节尚未办理且已过期限；超期办结指该环节办理时已过期限。",
  },
  en: {
    "dash.overdue.open": "Overdue now (not done)",
    "dash.overdue.completedLate": "Completed late",
    "dash.overdue.total": "Total",
    "dash.overdue.note":
      "As of today, all years: overdue now means the step is not done and past its due date; " +
      "completed late means it was done after its due date.",
  },
});

const DEADLINES = ["investigation", "decision", "case", "review"];

panel({
  name: "overdue",
  areas: ["assistance", "shared"], // a new business day makes cases late
  async load({ street }, { minPosition }) {
    const data = await gql(
      `query($street: String) { overdueSummary(street: $street) { deadline cases open completedLate } }`,
      { street: street || null },
      { minPosition },
    );
    return data.overdueSummary;
  },
  render(rows, { street }) {
    const deadlines = [...DEADLINES, ...rows.map((r) => r.deadline).filter((d) => !DEADLINES.includes(d))];
    const of = (d, key) => rows.find((r) => r.deadline === d)?.[key] ?? 0;
    const box = el("div", { class: "chart short" });
    queueMicrotask(() => bars(box, deadlines.map((d) => named("deadline", d)), [
      { name: t("dash.overdue.open"), values: deadlines.map((d) => of(d, "open")) },
      { name: t("dash.overdue.completedLate"), values: deadlines.map((d) => of(d, "completedLate")) },
    ], { horizontal: true, stack: true, format: (v) => `${v} ${t("dash.unit.cases")}` }));
    const cell = (d, key, now) => {
      const value = of(d, key);
      const suffix = key === "cases" ? "" : `.${key}`;
      const filter = { overdueDeadline: d, street, ...(now === undefined ? {} : { overdueNow: now }) };
      return figure(`overdue.${d}${suffix}`, value, count(value), link("cases", filter));
    };
    const body = deadlines.map((d) => [named("deadline", d),
      cell(d, "open", true), cell(d, "completedLate", false), cell(d, "cases")]);
    return [
      el("p", { class: "note", "data-note": "current" }, t("dash.overdue.note")),
      box,
      table([t("dash.col.deadline"), t("dash.overdue.open"), t("dash.overdue.completedLate"), t("dash.overdue.total")], body),
    ];
  },
});
