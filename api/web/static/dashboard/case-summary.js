// The summary card of a case page: what the case_summary view (or, for 临时救助, the
// temporary_assistance view) holds, with the applicant exactly as the API masks it. A caller
// who sees personal data in full only for a purpose gets a "show personal data" button: it asks
// for the purpose, asks the API again with it (X-Purpose; the API records the read as usual)
// and shows the fields. They stay shown while the page stays on this case.
import { addMessages, current, el, link, t, yuan } from "./core.js";
import { gqlWithPurpose, purposeNeeded } from "./case-export.js";
import { day, yesNo } from "./drill-common.js";
import { nameOf } from "./drill-names.js";

addMessages({
  zh: {
    "drill.sum.title": "概况", "drill.sum.programme": "救助类别", "drill.sum.status": "状态", "drill.sum.area": "街道 / 社区",
    "drill.sum.applicant": "申请人", "drill.sum.members": "家庭人口 / 保障人数", "drill.sum.channel": "申请渠道",
    "drill.sum.kin": "近亲属备案", "drill.sum.submitted": "申请日期", "drill.sum.accepted": "受理日期",
    "drill.sum.investigationStarted": "调查开始", "drill.sum.investigationDue": "调查期限",
    "drill.sum.decisionDue": "审批期限", "drill.sum.caseDue": "办结期限", "drill.sum.extended": "已延长期限",
    "drill.sum.decided": "审批日期", "drill.sum.monthly": "月保障金（元）", "drill.sum.firstPaid": "首次发放月份",
    "drill.sum.nextReview": "下次复核", "drill.sum.suspendedFrom": "暂停自", "drill.sum.gradualExit": "渐退至",
    "drill.sum.terminated": "终止月份", "drill.sum.terminationReason": "终止原因", "drill.sum.warnings": "未解除预警",
    "drill.sum.overdue": "超期", "drill.sum.type": "救助类型", "drill.sum.requested": "申请日期",
    "drill.sum.amount": "救助金额（元）", "drill.sum.paid": "发放日期", "drill.sum.approverLevel": "审批层级",
    "drill.sum.overCap": "超过上限", "drill.sum.paperworkDue": "补齐手续期限", "drill.sum.paperworkOn": "补齐手续日期",
    "drill.sum.paperworkOverdue": "补齐手续超期", "drill.sum.closed": "结案日期", "drill.sum.household": "家庭人口",
    "drill.sum.personalHeld": "当前身份可查看完整个人信息，但须说明用途。点击“查看个人信息”并填写用途后显示，查阅将留痕。",
    "drill.sum.show": "查看个人信息", "drill.sum.purpose": "查阅用途", "drill.sum.confirm": "确定",
    "drill.sum.cancel": "取消", "drill.sum.busy": "正在查询…", "drill.sum.purposeEmpty": "请填写用途。",
    "drill.sum.refused": "未能显示：{message}",
  },
  en: {
    "drill.sum.title": "Summary", "drill.sum.programme": "Programme", "drill.sum.status": "Status", "drill.sum.area": "Street / community",
    "drill.sum.applicant": "Applicant", "drill.sum.members": "Household / counted", "drill.sum.channel": "Channel",
    "drill.sum.kin": "Kin of staff", "drill.sum.submitted": "Submitted", "drill.sum.accepted": "Accepted",
    "drill.sum.investigationStarted": "Investigation started", "drill.sum.investigationDue": "Investigation due",
    "drill.sum.decisionDue": "Decision due", "drill.sum.caseDue": "Case due", "drill.sum.extended": "Extended",
    "drill.sum.decided": "Decided", "drill.sum.monthly": "Monthly amount (yuan)", "drill.sum.firstPaid": "First paid month",
    "drill.sum.nextReview": "Next review", "drill.sum.suspendedFrom": "Suspended from", "drill.sum.gradualExit": "Gradual exit until",
    "drill.sum.terminated": "Terminated from", "drill.sum.terminationReason": "Termination reason", "drill.sum.warnings": "Open warnings",
    "drill.sum.overdue": "Overdue", "drill.sum.type": "Type", "drill.sum.requested": "Requested",
    "drill.sum.amount": "Amount (yuan)", "drill.sum.paid": "Paid on", "drill.sum.approverLevel": "Approved at",
    "drill.sum.overCap": "Over the cap", "drill.sum.paperworkDue": "Paperwork due", "drill.sum.paperworkOn": "Paperwork done",
    "drill.sum.paperworkOverdue": "Paperwork late", "drill.sum.closed": "Closed", "drill.sum.household": "Household",
    "drill.sum.personalHeld":
      "Your role sees personal data in full only for a stated purpose. Press \u201cShow personal data\u201d and " +
      "give the purpose to see it; the read is recorded.",
    "drill.sum.show": "Show personal data", "drill.sum.purpose": "Purpose of this read", "drill.sum.confirm": "Show",
    "drill.sum.cancel": "Cancel", "drill.sum.busy": "Asking…", "drill.sum.purposeEmpty": "Give the purpose.",
    "drill.sum.refused": "Not shown: {message}",
  },
});

// ---- personal data, for a stated purpose ----

let shown = null; // {id, name, idNumber}: what a purpose revealed, for this case page only

window.addEventListener("hashchange", () => {
  const { name, rest } = current();
  if (shown && (name !== "case" || rest[0] !== shown.id)) shown = null;
});

function applicantText(name, idNumber) {
  return el("span", { "data-personal": "shown" }, `${name ?? "—"} ${idNumber ?? ""}`.trim());
}

/** The button, then the purpose form, then the fields; the query asks for nothing else. */
function askPurpose(node, temporary) {
  const box = el("span", { class: "drill-personal", "data-personal": "ask" });
  const root = temporary ? "temporaryCase" : "case";
  const query = `query Personal($id: ID!) { ${root}(id: $id) { applicantName applicantIdNumber } }`;
  const start = () => {
    const purpose = el("input", {
      type: "text", maxlength: 200, autocomplete: "off", required: true, "aria-label": t("drill.sum.purpose"),
      placeholder: t("drill.sum.purpose"), "data-field": "personal-purpose",
    });
    const message = el("small", { class: "drill-muted", role: "status", "data-field": "personal-result" });
    const confirm = el("button", { type: "button", "data-action": "personal-confirm" }, t("drill.sum.confirm"));
    const cancel = el("button", { type: "button", "data-action": "personal-cancel" }, t("drill.sum.cancel"));
    const send = async () => {
      if (!purpose.value.trim()) {
        message.textContent = t("drill.sum.purposeEmpty");
        purpose.focus();
        return;
      }
      confirm.disabled = true;
      message.textContent = t("drill.sum.busy");
      try {
        const found = (await gqlWithPurpose(query, { id: node.id }, purpose.value))[root];
        shown = { id: String(node.id), name: found?.applicantName, idNumber: found?.applicantIdNumber };
        box.closest('[data-part="summary"]')?.querySelector('[data-personal="held"]')?.remove();
        box.replaceWith(applicantText(shown.name, shown.idNumber));
      } catch (error) {
        confirm.disabled = false;
        message.textContent = t("drill.sum.refused", { message: error?.message || String(error) });
      }
    };
    confirm.addEventListener("click", send);
    purpose.addEventListener("keydown", (event) => { if (event.key === "Enter") send(); });
    cancel.addEventListener("click", () => box.replaceChildren(...idle()));
    box.replaceChildren(purpose, " ", confirm, " ", cancel, " ", message);
    purpose.focus();
  };
  const idle = () => {
    const button = el("button", { type: "button", "data-action": "show-personal" }, t("drill.sum.show"));
    button.addEventListener("click", start);
    return [el("span", { class: "drill-muted" }, t("drill.purposeNeeded")), " ", button];
  };
  box.replaceChildren(...idle());
  return box;
}

function applicant(node, personal, temporary = false) {
  if (!personal) {
    purposeNeeded();
    if (shown && shown.id === String(node.id)) return applicantText(shown.name, shown.idNumber);
    return askPurpose(node, temporary);
  }
  return `${node.applicantName ?? "—"} ${node.applicantIdNumber ?? ""}`.trim();
}

function heldNote(node, personal) {
  return personal || shown?.id === String(node.id) ? null : el("p", { class: "drill-note", "data-personal": "held" }, t("drill.sum.personalHeld"));
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
    el("h3", {}, t("drill.sum.title")),
    heldNote(c, personal),
    list([
      ["drill.sum.programme", nameOf("programme", c.programme), "programme"],
      ["drill.sum.status", nameOf("caseStatus", c.status), "status"],
      ["drill.sum.area", [el("a", { href: link("cases", { street: c.street }) }, c.street), ` ${c.community}`], "street"],
      ["drill.sum.applicant", applicant(c, personal), "applicant"],
      ["drill.sum.members", `${c.householdSize} / ${c.countedMembers}`],
      ["drill.sum.channel", nameOf("channel", c.channel)],
      ["drill.sum.kin", c.kinOfStaff ? yesNo(true) : null],
      ["drill.sum.submitted", day(c.submittedOn)],
      ["drill.sum.accepted", c.acceptedOn && day(c.acceptedOn)],
      ["drill.sum.investigationStarted", c.investigationStartedOn && day(c.investigationStartedOn)],
      ["drill.sum.investigationDue", c.investigationDue && day(c.investigationDue)],
      ["drill.sum.decisionDue", c.decisionDue && day(c.decisionDue)],
      ["drill.sum.caseDue", c.caseDue && day(c.caseDue)],
      ["drill.sum.extended", c.extended ? yesNo(true) : null],
      ["drill.sum.decided", c.decidedOn && day(c.decidedOn)],
      ["drill.sum.overdue", late(c), "overdue"],
      ["drill.sum.monthly", el("span", { "data-value": c.monthlyAmountFen }, yuan(c.monthlyAmountFen)), "monthly"],
      ["drill.sum.firstPaid", c.firstPaidMonth],
      ["drill.sum.nextReview", c.nextReviewDue && day(c.nextReviewDue)],
      ["drill.sum.suspendedFrom", c.suspendedFrom],
      ["drill.sum.gradualExit", c.gradualExitUntil],
      ["drill.sum.terminated", c.terminatedMonth],
      ["drill.sum.terminationReason", c.terminationReason && nameOf("terminationReason", c.terminationReason), "terminationReason"],
      ["drill.sum.warnings", c.openWarnings ? String(c.openWarnings) : null],
    ]));
}

/** The summary card of a temporary-assistance case (an A13 finding points at one). */
export function temporarySummary(c, personal) {
  return el("div", { class: "drill-card", "data-part": "summary" },
    el("h3", {}, t("drill.sum.title")),
    heldNote(c, personal),
    list([
      ["drill.sum.type", nameOf("tempType", c.type), "type"],
      ["drill.sum.status", nameOf("tempStatus", c.status), "status"],
      ["drill.sum.area", `${c.street} ${c.community}`, "street"],
      ["drill.sum.applicant", applicant(c, personal, true), "applicant"],
      ["drill.sum.household", String(c.householdSize)],
      ["drill.sum.requested", day(c.requestedOn)],
      ["drill.sum.amount", el("span", { "data-value": c.amountFen }, yuan(c.amountFen)), "amount"],
      ["drill.sum.paid", c.paidOn && day(c.paidOn)],
      ["drill.sum.approverLevel", c.approverLevel && nameOf("level", c.approverLevel)],
      ["drill.sum.overCap", c.overCap ? yesNo(true) : null],
      ["drill.sum.paperworkDue", c.paperworkDue && day(c.paperworkDue)],
      ["drill.sum.paperworkOn", c.paperworkOn && day(c.paperworkOn)],
      ["drill.sum.paperworkOverdue", c.paperworkOverdue ? yesNo(true) : null],
      ["drill.sum.decided", c.decidedOn && day(c.decidedOn)],
      ["drill.sum.closed", c.closedOn && day(c.closedOn)],
    ]));
}
