// The three lists the overview's figures open: cases (the case_summary view), payouts and
// audit findings. Each row links to its case page; amounts in 元, dates YYYY-MM-DD.
import { addMessages, el, t, wan, yuan } from "./core.js";
import { day, shortId } from "./drill-common.js";
import { caseLink, registerList } from "./drill-list.js";
import { nameOf } from "./drill-names.js";

addMessages({
  zh: {
    "drill.cases.title": "个案列表", "drill.payouts.title": "发放明细", "drill.findings.title": "审计发现",
    "drill.col.programme": "救助类别", "drill.col.street": "街道", "drill.col.community": "社区/村",
    "drill.col.status": "状态", "drill.col.overdue": "逾期", "drill.col.overdueDeadline": "逾期环节",
    "drill.col.confirmedIn": "审批年度", "drill.col.applicant": "申请人", "drill.col.submitted": "申请日期",
    "drill.col.due": "期限", "drill.col.monthly": "月保障金（元）", "drill.col.case": "个案",
    "drill.col.month": "月份", "drill.col.year": "年度", "drill.col.runId": "发放批次", "drill.col.caseId": "个案",
    "drill.col.amount": "金额（元）", "drill.col.payee": "收款账户", "drill.col.settledOn": "发放日期",
    "drill.col.rule": "规则", "drill.col.severity": "严重程度", "drill.col.raisedOn": "发现日期",
    "drill.col.summary": "说明",
    "drill.due.investigation": "调查", "drill.due.decision": "审批", "drill.due.case": "办结", "drill.due.review": "复核",
    "drill.overdue.none": "无",
    "drill.col.overdueNow": "超期情况", "drill.overdueNow.true": "正在超期（未办结）",
    "drill.overdueNow.false": "超期办结", "drill.col.asOf": "截至",
    "drill.payouts.amount": "合计金额 {amount} 万元",
  },
  en: {
    "drill.cases.title": "Cases", "drill.payouts.title": "Payouts", "drill.findings.title": "Audit findings",
    "drill.col.programme": "Programme", "drill.col.street": "Street", "drill.col.community": "Community",
    "drill.col.status": "Status", "drill.col.overdue": "Overdue", "drill.col.overdueDeadline": "Overdue deadline",
    "drill.col.confirmedIn": "Confirmed in", "drill.col.applicant": "Applicant", "drill.col.submitted": "Submitted",
    "drill.col.due": "Due", "drill.col.monthly": "Monthly (yuan)", "drill.col.case": "Case",
    "drill.col.month": "Month", "drill.col.year": "Year", "drill.col.runId": "Payroll run", "drill.col.caseId": "Case",
    "drill.col.amount": "Amount (yuan)", "drill.col.payee": "Payee account", "drill.col.settledOn": "Settled on",
    "drill.col.rule": "Rule", "drill.col.severity": "Severity", "drill.col.raisedOn": "Raised on",
    "drill.col.summary": "Summary",
    "drill.due.investigation": "investigation", "drill.due.decision": "decision", "drill.due.case": "case",
    "drill.due.review": "review",
    "drill.overdue.none": "none",
    "drill.col.overdueNow": "Overdue", "drill.overdueNow.true": "now (not done)",
    "drill.overdueNow.false": "completed late", "drill.col.asOf": "As of",
    "drill.payouts.amount": "Amount in all: {amount} (10k yuan)",
  },
});

const DEADLINES = ["investigation", "decision", "case", "review"];

function money(fen) {
  return el("span", { class: "drill-money", "data-value": fen }, yuan(fen));
}

function applicant(node, personal) {
  if (!personal) return el("span", { class: "drill-muted" }, t("drill.purposeNeeded"));
  return el("span", {}, node.applicantName ?? "—", el("br"), el("small", {}, node.applicantIdNumber ?? ""));
}

function dueDates(node) {
  const due = {
    investigation: node.investigationDue, decision: node.decisionDue, case: node.caseDue,
    review: node.nextReviewDue,
  };
  return el("ul", { class: "drill-dues" }, DEADLINES.filter((d) => due[d]).map((d) =>
    el("li", { class: node.overdue?.[d] ? "drill-late" : null }, `${t(`drill.due.${d}`)} ${day(due[d])}`)));
}

function overdueFlags(node) {
  const late = DEADLINES.filter((d) => node.overdue?.[d]);
  if (!late.length) return el("span", { class: "drill-muted" }, t("drill.overdue.none"));
  return late.map((d) => el("span", { class: "drill-badge drill-badge-late", "data-overdue": d }, nameOf("deadline", d)));
}

registerList({
  name: "cases",
  title: "drill.cases.title",
  root: "cases",
  filterType: "CaseFilter",
  params: {
    programme: "text", street: "text", community: "text", status: "text", overdue: "bool",
    overdueDeadline: DEADLINES, overdueNow: "bool", confirmedIn: "int",
  },
  names: { programme: "programme", status: "caseStatus", overdueDeadline: "deadline" },
  chipLabels: { overdueNow: (now) => `${t("drill.col.overdueNow")}: ${t(`drill.overdueNow.${now}`)}` },
  fields: `id programme street community status submittedOn investigationDue decisionDue caseDue
    nextReviewDue monthlyAmountFen overdue { investigation decision case review }`,
  personal: "applicantName applicantIdNumber",
  aggregates: ["AssistanceCase"],
  rowAttrs: (node) => ({ "data-case-id": node.id }),
  columns: (personal) => [
    { label: t("drill.col.street"), cell: (n) => n.street },
    { label: t("drill.col.community"), cell: (n) => n.community },
    { label: t("drill.col.programme"), cell: (n) => nameOf("programme", n.programme) },
    { label: t("drill.col.status"), cell: (n) => nameOf("caseStatus", n.status) },
    { label: t("drill.col.applicant"), cell: (n) => applicant(n, personal) },
    { label: t("drill.col.submitted"), cell: (n) => day(n.submittedOn) },
    { label: t("drill.col.due"), cell: dueDates },
    { label: t("drill.col.overdue"), cell: overdueFlags },
    { label: t("drill.col.monthly"), cell: (n) => money(n.monthlyAmountFen) },
    { label: t("drill.col.case"), cell: (n) => caseLink(n.id) },
  ],
});

registerList({
  name: "payouts",
  title: "drill.payouts.title",
  root: "payouts",
  filterType: "PayoutFilter",
  params: {
    month: "month", year: "int", programme: "text", street: "text", status: "text",
    runId: "text", caseId: "text",
  },
  names: { programme: "programme", status: "payoutStatus" },
  fields: "id caseId runId month programme street amountFen status bankReference settledOn",
  personal: "payeeAccount",
  // the money total of the same filter beside the count: the figure clicked was an amount
  beside: "payoutTotals(filter: $filter) { payouts amountFen }",
  summary: (connection, data) => {
    const fen = (data.payoutTotals || []).reduce((sum, row) => sum + Number(row.amountFen || 0), 0);
    return el("p", { class: "drill-total", "data-field": "amount", "data-value": fen },
      t("drill.payouts.amount", { amount: wan(fen) }));
  },
  aggregates: ["Payout", "PayrollRun"],
  rowAttrs: (node) => ({ "data-payout-id": node.id, "data-case-id": node.caseId }),
  columns: (personal) => [
    { label: t("drill.col.month"), cell: (n) => n.month },
    { label: t("drill.col.street"), cell: (n) => n.street },
    { label: t("drill.col.programme"), cell: (n) => nameOf("programme", n.programme) },
    { label: t("drill.col.status"), cell: (n) => nameOf("payoutStatus", n.status) },
    { label: t("drill.col.amount"), cell: (n) => money(n.amountFen) },
    { label: t("drill.col.payee"), cell: (n) => (personal ? n.payeeAccount ?? "—" : t("drill.purposeNeeded")) },
    { label: t("drill.col.settledOn"), cell: (n) => day(n.settledOn) },
    { label: t("drill.col.runId"), cell: (n) => shortId(n.runId) },
    { label: t("drill.col.case"), cell: (n) => caseLink(n.caseId) },
  ],
});

registerList({
  name: "findings",
  title: "drill.findings.title",
  root: "auditFindings",
  filterType: "AuditFindingFilter",
  params: { rule: "text", status: "text", street: "text", severity: "text", caseId: "text" },
  names: { rule: "rule", status: "findingStatus", severity: "severity" },
  fields: "id rule title severity status street caseId summary raisedOn",
  aggregates: ["AuditFinding"],
  rowAttrs: (node) => ({ "data-finding-id": node.id, "data-case-id": node.caseId }),
  columns: () => [
    { label: t("drill.col.rule"), cell: (n) => `${n.rule} ${nameOf("rule", n.rule)}` },
    { label: t("drill.col.severity"), cell: (n) => el("span", { class: `drill-badge drill-sev-${n.severity}` }, nameOf("severity", n.severity)) },
    { label: t("drill.col.status"), cell: (n) => nameOf("findingStatus", n.status) },
    { label: t("drill.col.street"), cell: (n) => n.street ?? "—" },
    { label: t("drill.col.raisedOn"), cell: (n) => day(n.raisedOn) },
    { label: t("drill.col.summary"), cell: (n) => el("span", { class: "drill-summary" }, n.summary) },
    { label: t("drill.col.case"), cell: (n) => caseLink(n.caseId) },
  ],
});
