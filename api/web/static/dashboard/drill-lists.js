// The three lists the overview's figures open: cases (the case_summary view), payouts and
// audit findings. Each row links to its case page; amounts in 元, dates YYYY-MM-DD.
import { addMessages, el, t, yuan } from "./core.js";
import { day, shortId } from "./drill-common.js";
import { caseLink, registerList } from "./drill-list.js";
import { nameOf } from "./drill-names.js";

addMessages({
  zh: {
    "cases.title": "个案列表", "payouts.title": "发放明细", "findings.title": "审计发现",
    "col.programme": "救助类别", "col.street": "街道", "col.community": "社区/村",
    "col.status": "状态", "col.overdue": "逾期", "col.overdueDeadline": "逾期环节",
    "col.confirmedIn": "审批年度", "col.applicant": "申请人", "col.submitted": "申请日期",
    "col.due": "期限", "col.monthly": "月保障金（元）", "col.case": "个案",
    "col.month": "月份", "col.year": "年度", "col.runId": "发放批次", "col.caseId": "个案",
    "col.amount": "金额（元）", "col.payee": "收款账户", "col.settledOn": "发放日期",
    "col.rule": "规则", "col.severity": "严重程度", "col.raisedOn": "发现日期",
    "col.summary": "说明",
    "due.investigation": "调查", "due.decision": "审批", "due.case": "办结", "due.review": "复核",
    "overdue.none": "无",
  },
  en: {
    "cases.title": "Cases", "payouts.title": "Payouts", "findings.title": "Audit findings",
    "col.programme": "Programme", "col.street": "Street", "col.community": "Community",
    "col.status": "Status", "col.overdue": "Overdue", "col.overdueDeadline": "Overdue deadline",
    "col.confirmedIn": "Confirmed in", "col.applicant": "Applicant", "col.submitted": "Submitted",
    "col.due": "Due", "col.monthly": "Monthly (元)", "col.case": "Case",
    "col.month": "Month", "col.year": "Year", "col.runId": "Payroll run", "col.caseId": "Case",
    "col.amount": "Amount (元)", "col.payee": "Payee account", "col.settledOn": "Settled on",
    "col.rule": "Rule", "col.severity": "Severity", "col.raisedOn": "Raised on",
    "col.summary": "Summary",
    "due.investigation": "investigation", "due.decision": "decision", "due.case": "case",
    "due.review": "review",
    "overdue.none": "none",
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
    el("li", { class: node.overdue?.[d] ? "drill-late" : null }, `${t(`due.${d}`)} ${day(due[d])}`)));
}

function overdueFlags(node) {
  const late = DEADLINES.filter((d) => node.overdue?.[d]);
  if (!late.length) return el("span", { class: "drill-muted" }, t("overdue.none"));
  return late.map((d) => el("span", { class: "drill-badge drill-badge-late", "data-overdue": d }, nameOf("deadline", d)));
}

registerList({
  name: "cases",
  title: "cases.title",
  root: "cases",
  filterType: "CaseFilter",
  params: {
    programme: "text", street: "text", community: "text", status: "text", overdue: "bool",
    overdueDeadline: DEADLINES, confirmedIn: "int",
  },
  names: { programme: "programme", status: "caseStatus", overdueDeadline: "deadline" },
  fields: `id programme street community status submittedOn investigationDue decisionDue caseDue
    nextReviewDue monthlyAmountFen overdue { investigation decision case review }`,
  personal: "applicantName applicantIdNumber",
  aggregates: ["AssistanceCase"],
  rowAttrs: (node) => ({ "data-case-id": node.id }),
  columns: (personal) => [
    { label: t("col.street"), cell: (n) => n.street },
    { label: t("col.community"), cell: (n) => n.community },
    { label: t("col.programme"), cell: (n) => nameOf("programme", n.programme) },
    { label: t("col.status"), cell: (n) => nameOf("caseStatus", n.status) },
    { label: t("col.applicant"), cell: (n) => applicant(n, personal) },
    { label: t("col.submitted"), cell: (n) => day(n.submittedOn) },
    { label: t("col.due"), cell: dueDates },
    { label: t("col.overdue"), cell: overdueFlags },
    { label: t("col.monthly"), cell: (n) => money(n.monthlyAmountFen) },
    { label: t("col.case"), cell: (n) => caseLink(n.id) },
  ],
});

registerList({
  name: "payouts",
  title: "payouts.title",
  root: "payouts",
  filterType: "PayoutFilter",
  params: {
    month: "month", year: "int", programme: "text", street: "text", status: "text",
    runId: "text", caseId: "text",
  },
  names: { programme: "programme", status: "payoutStatus" },
  fields: "id caseId runId month programme street amountFen status bankReference settledOn",
  personal: "payeeAccount",
  aggregates: ["Payout", "PayrollRun"],
  rowAttrs: (node) => ({ "data-payout-id": node.id, "data-case-id": node.caseId }),
  columns: (personal) => [
    { label: t("col.month"), cell: (n) => n.month },
    { label: t("col.street"), cell: (n) => n.street },
    { label: t("col.programme"), cell: (n) => nameOf("programme", n.programme) },
    { label: t("col.status"), cell: (n) => nameOf("payoutStatus", n.status) },
    { label: t("col.amount"), cell: (n) => money(n.amountFen) },
    { label: t("col.payee"), cell: (n) => (personal ? n.payeeAccount ?? "—" : t("drill.purposeNeeded")) },
    { label: t("col.settledOn"), cell: (n) => day(n.settledOn) },
    { label: t("col.runId"), cell: (n) => shortId(n.runId) },
    { label: t("col.case"), cell: (n) => caseLink(n.caseId) },
  ],
});

registerList({
  name: "findings",
  title: "findings.title",
  root: "auditFindings",
  filterType: "AuditFindingFilter",
  params: { rule: "text", status: "text", street: "text", severity: "text", caseId: "text" },
  names: { rule: "rule", status: "findingStatus", severity: "severity" },
  fields: "id rule title severity status street caseId summary raisedOn",
  aggregates: ["AuditFinding"],
  rowAttrs: (node) => ({ "data-finding-id": node.id, "data-case-id": node.caseId }),
  columns: () => [
    { label: t("col.rule"), cell: (n) => `${n.rule} ${nameOf("rule", n.rule)}` },
    { label: t("col.severity"), cell: (n) => el("span", { class: `drill-badge drill-sev-${n.severity}` }, nameOf("severity", n.severity)) },
    { label: t("col.status"), cell: (n) => nameOf("findingStatus", n.status) },
    { label: t("col.street"), cell: (n) => n.street ?? "—" },
    { label: t("col.raisedOn"), cell: (n) => day(n.raisedOn) },
    { label: t("col.summary"), cell: (n) => el("span", { class: "drill-summary" }, n.summary) },
    { label: t("col.case"), cell: (n) => caseLink(n.caseId) },
  ],
});
