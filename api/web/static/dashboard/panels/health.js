// The read side's health: each projection's position, its lag behind the ledger's head and
// its error, if it stopped or is retrying.
import { count, el, gql, t } from "../core.js";
import { figure, scope, table } from "../figures.js";
import { panel } from "../registry.js";

panel({
  name: "health",
  wide: true,
  areas: ["*"],
  async load(_choice, { minPosition }) {
    const data = await gql(`{ projectionStatus { name position headPosition lag error retrying } }`, {}, { minPosition });
    return data.projectionStatus;
  },
  render(rows) {
    const worst = rows.reduce((m, r) => Math.max(m, r.lag), 0);
    const state = (r) => (r.error ? el("span", { class: "bad", title: r.error }, t("dash.health.stopped"))
      : r.retrying ? el("span", { class: "warn", title: r.retrying }, t("dash.health.retrying"))
        : el("span", { class: "ok" }, t("dash.health.ok")));
    const body = rows.map((r) => [el("code", {}, r.name),
      figure(`health.${r.name}.position`, r.position, count(r.position)),
      figure(`health.${r.name}.lag`, r.lag, count(r.lag)),
      state(r)]);
    const head = [t("dash.col.projection"), t("dash.col.position"), t("dash.col.lag"), t("dash.col.status")];
    const per = Math.ceil(body.length / 3);
    const chunks = [0, 1, 2].map((i) => body.slice(i * per, (i + 1) * per)).filter((c) => c.length);
    return [scope(t("dash.scope.ledger")), el("p", { class: "note" }, t("dash.health.summary", { count: rows.length, lag: count(worst) })),
      el("div", { class: "columns" }, chunks.map((chunk) => table(head, chunk)))];
  },
});
