// A case's page (#/case/<id>): its summary, its timeline in order with dates, its audit
// findings and payouts, and the case-file export. Each part loads on its own, so a part the
// caller may not read (payouts are district-wide) is a calm sentence, not a broken page. The
// page refreshes when an event of this case arrives, waiting for the views to reach it.
import { addMessages, el, gql, link, route, state, t, yuan } from "./core.js";
import { exportCard } from "./case-export.js";
import {
  alive, backLinks, begin, claim, day, gqlPersonal, live, setTitle, showFailure, shortId, table,
} from "./drill-common.js";
import { caseSummary, temporarySummary } from "./case-summary.js";
import { nameOf } from "./drill-names.js";

addMessages({
  zh: {
    "drill.case.title": "个案详情", "drill.case.heading": "个案 {id}", "drill.case.timeline": "办理过程",
    "drill.case.findings": "审计发现", "drill.case.payouts": "发放记录", "drill.case.notFound": "没有这个个案。",
    "drill.case.badId": "这不是一个个案编号。", "drill.case.recorded": "录入于 {date}（补录）",
    "drill.case.allFindings": "在列表中查看", "drill.case.allPayouts": "在列表中查看",
    "drill.case.noTimeline": "还没有记录。", "drill.case.noFindings": "没有审计发现。", "drill.case.noPayouts": "没有发放记录。",
    "drill.case.temporary": "临时救助个案 {id}",
    "drill.case.apiSummary": "系统记录原文（英文）",
  },
  en: {
    "drill.case.title": "Case", "drill.case.heading": "Case {id}", "drill.case.timeline": "Timeline",
    "drill.case.findings": "Audit findings", "drill.case.payouts": "Payouts", "drill.case.notFound": "There is no such case.",
    "drill.case.badId": "This is not a case id.", "drill.case.recorded": "recorded on {date} (back-dated)",
    "drill.case.allFindings": "Open as a list", "drill.case.allPayouts": "Open as a list",
    "drill.case.noTimeline": "Nothing recorded yet.", "drill.case.noFindings": "No audit findings.", "drill.case.noPayouts": "No payouts.",
    "drill.case.temporary": "Temporary-assistance case {id}",
    "drill.case.apiSummary": "The ledger's own words (English)",
  },
});

const LISTS = new Set(["cases", "payouts", "findings", "organizations", "villages", "beds"]);

const CASE_FIELDS = `id programme street community status channel kinOfStaff householdSize
  countedMembers submittedOn acceptedOn investigationStartedOn investigationDue decisionDue
  caseDue extended decidedOn monthlyAmountFen firstPaidMonth nextReviewDue suspendedFrom
  gradualExitUntil terminatedMonth terminationReason openWarnings
  overdue { investigation decision case review }
  timeline { position version eventType occurredOn recordedAt backdated actorUser actorRole actorUnit summary }`;
const TEMPORARY_FIELDS = `id type street community status householdSize requestedOn amountFen paidOn
  approverLevel overCap paperworkDue paperworkOn paperworkOverdue decidedOn closedOn`;
const PERSONAL = "applicantName applicantIdNumber";

const caseQuery = (personal) => `query Case($id: ID!) { case(id: $id) { ${CASE_FIELDS} ${personal ? PERSONAL : ""} } }`;
const temporaryQuery = (personal) =>
  `query Temporary($id: ID!) { temporaryCase(id: $id) { ${TEMPORARY_FIELDS} ${personal ? PERSONAL : ""} } }`;
const FINDINGS = `query Findings($id: ID!) { auditFindings(filter: {caseId: $id}, first: 100) {
  totalCount edges { node { id rule severity status raisedOn summary } } } }`;
const PAYOUTS = `query Payouts($id: ID!) { payouts(filter: {caseId: $id}, first: 100) {
  totalCount edges { node { id month amountFen status settledOn runId } } } }`;

/** The list the user came from, when it is one of ours ("cases?street=..."). */
function fromList(params) {
  const from = params.from || "";
  return LISTS.has(from.split("?")[0]) ? from : null;
}

function part(name, title) {
  return el("section", { class: "drill-part", "data-part": name, "data-state": "loading" }, el("h3", {}, title));
}

function timelineList(entries) {
  if (!entries.length) return el("p", { class: "drill-muted" }, t("drill.case.noTimeline"));
  const ordered = [...entries].sort((a, b) => a.position - b.position);
  return el("ol", { class: "drill-timeline" }, ordered.map((e) =>
    el("li", { "data-timeline-entry": e.eventType, "data-version": e.version, "data-position": e.position },
      el("time", { datetime: e.occurredOn }, day(e.occurredOn)),
      el("div", {},
        el("strong", {}, nameOf("event", e.eventType)),
        el("span", { class: "drill-muted" }, ` · ${nameOf("role", e.actorRole)}${e.actorUnit ? ` · ${e.actorUnit}` : ""}`),
        apiText(e.summary),
        e.backdated ? el("small", { class: "drill-muted" }, t("drill.case.recorded", { date: day(e.recordedAt) })) : null))));
}

/** The API's English summary of an entry: the text itself on an English page; on a Chinese
 * page a folded detail labelled as the ledger's English original (the entry's name and date,
 * in Chinese, already say what happened). */
function apiText(summary) {
  if (!summary) return null;
  if (state.lang === "en") return el("p", { "data-api-summary": "" }, summary);
  return el("details", { class: "drill-api-summary", "data-api-summary": "" },
    el("summary", {}, t("drill.case.apiSummary")), el("p", { lang: "en" }, summary));
}

async function loadPart(node, query, id, minPosition, draw, current) {
  let data = null;
  let failure = null;
  try {
    data = await gql(query, { id }, { minPosition });
  } catch (error) {
    failure = error;
  }
  if (!current()) return;
  node.replaceChildren(node.firstChild);
  if (failure) return showFailure(node, failure);
  node.dataset.state = "ok";
  node.append(...draw(data));
}

function findingsPart(data, id) {
  const rows = data.auditFindings.edges.map((e) => e.node);
  if (!rows.length) return [el("p", { class: "drill-muted" }, t("drill.case.noFindings"))];
  return [
    el("ul", { class: "drill-findings" }, rows.map((f) =>
      el("li", { "data-finding-id": f.id },
        el("span", { class: `drill-badge drill-sev-${f.severity}` }, nameOf("severity", f.severity)),
        ` ${f.rule} ${nameOf("rule", f.rule)} · ${nameOf("findingStatus", f.status)} · ${day(f.raisedOn)}`,
        apiText(f.summary)))),
    el("a", { href: link("findings", { caseId: id }) }, t("drill.case.allFindings")),
  ];
}

function payoutsPart(data, id) {
  const rows = data.payouts.edges.map((e) => e.node).sort((a, b) => a.month.localeCompare(b.month));
  if (!rows.length) return [el("p", { class: "drill-muted" }, t("drill.case.noPayouts"))];
  const columns = [
    { label: t("drill.col.month"), cell: (p) => p.month },
    { label: t("drill.col.amount"), cell: (p) => el("span", { "data-value": p.amountFen }, yuan(p.amountFen)) },
    { label: t("drill.col.status"), cell: (p) => nameOf("payoutStatus", p.status) },
    { label: t("drill.col.settledOn"), cell: (p) => day(p.settledOn) },
    { label: t("drill.col.runId"), cell: (p) => shortId(p.runId) },
  ];
  return [table(columns, rows, (p) => ({ "data-payout-id": p.id })),
    el("a", { href: link("payouts", { caseId: id }) }, t("drill.case.allPayouts"))];
}

async function drawCase(params, root, rest) {
  const ticket = begin();
  const id = rest[0] || "";
  const from = fromList(params);
  setTitle(t("drill.case.title"));
  const section = el("section", { class: "drill-page", "data-page": "case", "data-case-id": id, "data-state": "loading" },
    backLinks(from), el("h2", {}, t("drill.case.heading", { id: id.slice(0, 8) })));
  root.replaceChildren(section);
  if (!/^[0-9A-Za-z-]{1,64}$/.test(id)) {
    section.dataset.state = "error";
    section.append(el("p", { class: "drill-note" }, t("drill.case.badId")));
    return;
  }
  const head = el("div", { class: "drill-case-grid" });
  const timeline = part("timeline", t("drill.case.timeline"));
  const findings = part("findings", t("drill.case.findings"));
  const payouts = part("payouts", t("drill.case.payouts"));
  section.append(head, timeline, findings, payouts);
  let loaded = 0;
  let exportBox = null; // kept across refreshes, so a purpose being typed survives them

  let latest = 0; // a reload that finishes after a newer one is dropped

  const draw = async (minPosition = null) => {
    const mine = ++latest;
    const options = { minPosition };
    const current = () => alive(ticket) && mine === latest;
    const summary = (async () => {
      let answer = await gqlPersonal(caseQuery, { id }, options);
      let found = answer.data.case;
      let temporary = false;
      if (!found) {
        answer = await gqlPersonal(temporaryQuery, { id }, options);
        found = answer.data.temporaryCase;
        temporary = Boolean(found);
      }
      return { found, temporary, personal: answer.personal };
    })();
    const others = [
      loadPart(findings, FINDINGS, id, minPosition, (d) => findingsPart(d, id), current),
      loadPart(payouts, PAYOUTS, id, minPosition, (d) => payoutsPart(d, id), current),
    ];
    let result = null;
    let failure = null;
    try {
      result = await summary;
    } catch (error) {
      failure = error;
    }
    await Promise.all(others);
    if (!current()) return;
    head.replaceChildren();
    timeline.replaceChildren(timeline.firstChild);
    if (failure || !result.found) {
      timeline.hidden = true;
      timeline.dataset.state = failure?.forbidden ? "forbidden" : "error";
      if (failure) showFailure(head, failure);
      else head.append(el("p", { class: "drill-note" }, t("drill.case.notFound")));
      if (failure?.forbidden) {
        // the findings list is filtered to the caller's street, so it answers "none" for a case
        // the caller may not see: say it is refused, not that there are no findings
        findings.replaceChildren(findings.firstChild);
        showFailure(findings, failure);
      }
      section.dataset.state = head.dataset.state || "error";
      return;
    }
    const { found, temporary, personal } = result;
    section.querySelector("h2").textContent = t(temporary ? "drill.case.temporary" : "drill.case.heading", { id: id.slice(0, 8) });
    head.append(temporary ? temporarySummary(found, personal) : caseSummary(found, personal),
      temporary ? "" : (exportBox ??= exportCard(id)));
    timeline.hidden = temporary;
    payouts.hidden = temporary; // payouts belong to assistance cases
    timeline.dataset.state = "ok";
    if (!temporary) timeline.append(timelineList(found.timeline));
    loaded += 1;
    section.dataset.state = "ok";
    section.dataset.loaded = String(loaded);
  };

  await draw();
  const ours = (event) => event.subject === id || event.data?.case_id === id;
  if (alive(ticket)) live(ours, draw, 250);
}

claim("case");
route("case", drawCase);
