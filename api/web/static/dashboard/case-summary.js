// The summary card of a case page: what the case_summary view (or, for 临时救助, the
// temporary_assistance view) holds, with the applicant exactly as the API masks it.
import { addMessages, el, link, t, yuan } from "./core.js";
import { day, yesNo } from "./drill-common.js";
import { nameOf } from "./drill-names.js";

addMessages({
  zh: {
    "sum.title": "概况", "sum.programme": "救助类别", "sum.status": "状态", "sum.area": "街道 / 社区",
    "sum.applicant": "申请人", "sum.members": "家庭人口 / 保障人数", "sum.channel": "申请渠道",
    "sum.kin": "近亲属备案", "sum.submitted": "申请日期", "sum.accepted": "受理日期",
    "sum.investigationStarted": "调查开始", "sum.investigationDue": "调查期限",
    "sum.decisionDue": "审批期限", "sum.caseDue": "办结期限", "sum.extended": "已延长期限",
    "sum.decided": "审批日期", "sum.monthly": "月保障金（元）", "sum.firstPaid": "首次发放月份",
    "sum.nextReview": "下次复核", "sum.suspendedFrom": "暂停自", "sum.gradualExit": "渐退至",
    "sum.terminated": "停保月份", "sum.terminationReason": "停保原因", "sum.warnings": "未解除预警",
    "sum.overdue": "逾期", "sum.type": "救助类型", "sum.requested": "申请日期",
    "sum.amount": "救助金额（元）", "sum.paid": "发放日期", "sum.approverLevel": "审批层级",
    "sum.overCap": "超过上限", "sum.paperworkDue": "补齐手续期限", "sum.paperworkOn": "补齐手续日期",
    "sum.paperworkOverdue": "手续逾期", "sum.closed": "结案日期", "sum.household": "家庭人口",
  },
  en: {
    "sum.title": "Summary", "sum.programme": "Programme", "sum.status": "Status", "sum.area": "Street / community",
    "sum.applicant": "Applicant", "sum.members": "Household / counted", "sum.channel": "Channel",
    "sum.kin": "Kin of staff", "sum.submitted": "Submitted", "sum.accepted": "Accepted",
    "sum.investigationStarted": "Investigation started", "sum.investigationDue": "Investigation due",
    "sum.decisionDue": "Decision due", "sum.caseDue": "Case due", "sum.extended": "Extended",
    "sum.decided": "Decided", "sum.monthly": "Monthly amount (元)", "sum.firstPaid": "First paid month",
    "sum.nextReview": "Next review", "sum.suspendedFrom": "Suspended from", "sum.gradualExit": "Gradual exit until",
    "sum.terminated": "Terminated from", "sum.terminationReason": "Termination reason", "sum.warnings": "Open warnings",
    "sum.overdue": "Overdue", "sum.type": "Type", "sum.requested": "Requested",
    "sum.amount": "Amount (元)", "sum.paid": "Paid on", "sum.approverLevel": "Approved at",
    "sum.overCap": "Over the cap", "sum.paperworkDue": "Paperwork due", "sum.paperworkOn": "Paperwork done",
    "sum.paperworkOverdue": "Paperwork late", "sum.closed": "Closed", "sum.household": "Household",
  },
});

function applicant(node, personal) {
  if (!personal) return el("span", { class: "drill-muted" }, t("drill.purposeNeeded"));
  return `${node.applicantName ?? "—"} ${node.applicantIdNumber ?? ""}`.trim();
}

function list(rows) {
  return el("dl", { class: "drill-facts" }, rows.filter(([, v]) => v !== null && v !== undefined && v !== "")
    .flatMap(([key, value, field]) => [el("dt", {}, t(key)), el("dd", field ? { "data-field": field } : {}, value)]));
}

function late(node) {
  const flags = ["investigation", "decision", "case", "review"].filter((d) => node.overdue?.[d]);
  if (!flags.length) return null;
  return flags.map((d) => el("span", { class: "drill-badge drill-badge-late", "data-overdue": d }, nameOf("deadline", d)));
}

/** The summary card of an assistance case. */
export function caseSummary(c, personal) {
  return el("div", { class: "drill-card", "data-part": "summary" },
    el("h3", {}, t("sum.title")),
    personal ? null : el("p", { class: "drill-note", "data-personal": "held" }, t("drill.personalHeld")),
    list([
      ["sum.programme", nameOf("programme", c.programme), "programme"],
      ["sum.status", nameOf("caseStatus", c.status), "status"],
      ["sum.area", [el("a", { href: link("cases", { street: c.street }) }, c.street), ` ${c.community}`], "street"],
      ["sum.applicant", applicant(c, personal), "applicant"],
      ["sum.members", `${c.householdSize} / ${c.countedMembers}`],
      ["sum.channel", nameOf("channel", c.channel)],
      ["sum.kin", c.kinOfStaff ? yesNo(true) : null],
      ["sum.submitted", day(c.submittedOn)],
      ["sum.accepted", c.acceptedOn && day(c.acceptedOn)],
      ["sum.investigationStarted", c.investigationStartedOn && day(c.investigationStartedOn)],
      ["sum.investigationDue", c.investigationDue && day(c.investigationDue)],
      ["sum.decisionDue", c.decisionDue && day(c.decisionDue)],
      ["sum.caseDue", c.caseDue && day(c.caseDue)],
      ["sum.extended", c.extended ? yesNo(true) : null],
      ["sum.decided", c.decidedOn && day(c.decidedOn)],
      ["sum.overdue", late(c), "overdue"],
      ["sum.monthly", el("span", { "data-value": c.monthlyAmountFen }, yuan(c.monthlyAmountFen)), "monthly"],
      ["sum.firstPaid", c.firstPaidMonth],
      ["sum.nextReview", c.nextReviewDue && day(c.nextReviewDue)],
      ["sum.suspendedFrom", c.suspendedFrom],
      ["sum.gradualExit", c.gradualExitUntil],
      ["sum.terminated", c.terminatedMonth],
      ["sum.terminationReason", c.terminationReason],
      ["sum.warnings", c.openWarnings ? String(c.openWarnings) : null],
    ]));
}

/** The summary card of a temporary-assistance case (an A13 finding points at one). */
export function temporarySummary(c, personal) {
  return el("div", { class: "drill-card", "data-part": "summary" },
    el("h3", {}, t("sum.title")),
    personal ? null : el("p", { class: "drill-note", "data-personal": "held" }, t("drill.personalHeld")),
    list([
      ["sum.type", nameOf("tempType", c.type), "type"],
      ["sum.status", nameOf("tempStatus", c.status), "status"],
      ["sum.area", `${c.street} ${c.community}`, "street"],
      ["sum.applicant", applicant(c, personal), "applicant"],
      ["sum.household", String(c.householdSize)],
      ["sum.requested", day(c.requestedOn)],
      ["sum.amount", el("span", { "data-value": c.amountFen }, yuan(c.amountFen)), "amount"],
      ["sum.paid", c.paidOn && day(c.paidOn)],
      ["sum.approverLevel", c.approverLevel && nameOf("level", c.approverLevel)],
      ["sum.overCap", c.overCap ? yesNo(true) : null],
      ["sum.paperworkDue", c.paperworkDue && day(c.paperworkDue)],
      ["sum.paperworkOn", c.paperworkOn && day(c.paperworkOn)],
      ["sum.paperworkOverdue", c.paperworkOverdue ? yesNo(true) : null],
      ["sum.decided", c.decidedOn && day(c.decidedOn)],
      ["sum.closed", c.closedOn && day(c.closedOn)],
    ]));
}
