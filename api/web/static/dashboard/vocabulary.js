// The one vocabulary of the dashboard: the human names, in Chinese and English, of every code
// the API answers with (programmes, statuses, deadlines, audit rules, termination reasons,
// event types, grades, roles ...; DOMAIN.md). The overview (messages.js `named`) and the
// drill-down pages (drill-names.js `nameOf`) both read these, so a figure and the list behind
// it use the same words. The Chinese terms are the bureau's official ones.
import { addMessages, t } from "./core.js";

const NAMES = {
  // programmes (DOMAIN.md 1)
  "programme.DIBAO": ["低保", "Minimum living allowance (DIBAO)"],
  "programme.TEKUN": ["特困人员救助供养", "Extreme-poverty support (TEKUN)"],
  "programme.DIBAO_EDGE": ["低保边缘家庭", "Near-DIBAO household"],
  "programme.HARDSHIP": ["支出型困难家庭", "Expenditure-hardship household"],
  // assistance-case statuses
  "caseStatus.submitted": ["已申请", "Submitted"],
  "caseStatus.accepted": ["已受理", "Accepted"],
  "caseStatus.active": ["在保", "In payment"],
  "caseStatus.denied": ["不予批准", "Denied"],
  "caseStatus.suspended": ["暂停发放", "Suspended"],
  "caseStatus.terminated": ["已终止", "Terminated"],
  // why a case ended (its reason_code)
  "terminationReason.death": ["死亡", "Death"],
  "terminationReason.income_above_standard": ["收入超标", "Income above the standard"],
  "terminationReason.property": ["财产不符", "Property over the limits"],
  "terminationReason.moved_away": ["迁出", "Moved away"],
  "terminationReason.non_cooperation": ["不配合", "Did not cooperate"],
  "terminationReason.fraud": ["骗保", "Fraud"],
  "terminationReason.voluntary": ["自愿退出", "Withdrew voluntarily"],
  "terminationReason.gradual_exit_ended": ["渐退期满", "Gradual exit ended"],
  // deadlines (overdue flags, overdueSummary, CaseFilter.overdueDeadline)
  "deadline.investigation": ["调查启动超期", "Investigation started late"],
  "deadline.decision": ["审批决定超期", "Decision late"],
  "deadline.case": ["办结超期", "Case past 30 working days"],
  "deadline.review": ["复核超期", "Review overdue"],
  // payouts
  "payoutStatus.scheduled": ["待发放", "Scheduled"],
  "payoutStatus.settled": ["已发放", "Paid"],
  "payoutStatus.failed": ["发放失败", "Failed"],
  "payoutStatus.reversed": ["已冲正", "Reversed"],
  // audit findings (DOMAIN.md 4)
  "findingStatus.raised": ["待处理", "Raised"],
  "findingStatus.acknowledged": ["已确认", "Acknowledged"],
  "findingStatus.rectified": ["已整改", "Rectified"],
  "findingStatus.dismissed": ["已排除", "Dismissed as unfounded"],
  "findingStatus.resolved": ["已消除", "Resolved"],
  "severity.high": ["高", "High"],
  "severity.medium": ["中", "Medium"],
  "severity.low": ["低", "Low"],
  "rule.A01": ["死亡后仍发放", "Paid after death"],
  "rule.A02": ["终止或暂停后仍发放", "Paid after termination or suspension"],
  "rule.A03": ["重复发放", "Paid twice"],
  "rule.A04": ["重复享受", "Enrolled twice"],
  "rule.A05": ["财产不符仍纳入", "Enrolled despite assets"],
  "rule.A06": ["优亲厚友风险", "Favouritism risk"],
  "rule.A07": ["未经程序纳入", "Enrolled without due process"],
  "rule.A08": ["程序瑕疵", "Procedural defect"],
  "rule.A09": ["办理超时", "Processing too long"],
  "rule.A10": ["未按期复核", "Review missed"],
  "rule.A11": ["渐退超期", "Gradual exit too long"],
  "rule.A12": ["金额错误", "Wrong amount"],
  "rule.A13": ["临时救助违规", "Temporary-assistance breach"],
  "rule.A14": ["共用收款账户", "Shared payee account"],
  // social organisations (社会组织) and their grades (等级评估)
  "orgStatus.registered": ["已登记", "Registered"],
  "orgStatus.liquidating": ["清算中", "Liquidating"],
  "orgStatus.deregistered": ["已注销", "Deregistered"],
  "orgStatus.revoked": ["已撤销登记", "Registration revoked"],
  "orgType.SOCIAL_GROUP": ["社会团体", "Social group"],
  "orgType.SOCIAL_SERVICE": ["民办非企业单位", "Social service organisation"],
  "orgType.FOUNDATION": ["基金会", "Foundation"],
  "grade.1A": ["1A级", "1A"],
  "grade.2A": ["2A级", "2A"],
  "grade.3A": ["3A级", "3A"],
  "grade.4A": ["4A级", "4A"],
  "grade.5A": ["5A级", "5A"],
  "inspection.pass": ["合格", "Pass"],
  "inspection.basic_pass": ["基本合格", "Basic pass"],
  "inspection.fail": ["不合格", "Fail"],
  // village conversions (撤村转居)
  "step.initiated": ["启动", "Started"],
  "step.assets_verified": ["清产核资", "Assets verified"],
  "step.membership_confirmed": ["成员认定", "Membership confirmed"],
  "step.restructured": ["集体经济改制", "Collective restructured"],
  "step.vote_failed": ["表决未通过", "Vote failed"],
  "step.vote_passed": ["表决通过", "Vote passed"],
  "step.deregistered": ["撤销村建制", "Village deregistered"],
  "step.residents_committee_established": ["成立居委会", "Residents' committee set up"],
  "step.completed": ["已完成", "Completed"],
  // bed conversions (四床融合)
  "bedStatus.applied": ["已申请", "Applied"],
  "bedStatus.inspection_failed": ["查验未通过", "Failed inspection"],
  "bedStatus.inspected": ["已查验", "Inspected"],
  "bedStatus.approved": ["已批准", "Approved"],
  "bedStatus.completed": ["已完成", "Completed"],
  "bedStatus.rejected": ["不予批准", "Rejected"],
  "bedType.elderly_care": ["养老床位", "Elderly care"],
  "bedType.nursing": ["护理型床位", "Nursing"],
  "bedType.medical": ["医疗床位", "Medical"],
  "bedType.home_care": ["家庭养老床位", "Home care"],
  "bedType.hospice": ["安宁疗护床位", "Hospice"],
  // temporary assistance (临时救助)
  "tempType.EMERGENCY": ["急难型", "Emergency"],
  "tempType.EXPENDITURE": ["支出型", "Expenditure"],
  "tempStatus.requested": ["已申请", "Requested"],
  "tempStatus.advanced": ["已先行救助", "Advance aid paid"],
  "tempStatus.documented": ["手续已补齐", "Paperwork done"],
  "tempStatus.granted": ["已批准", "Granted"],
  "tempStatus.denied": ["不予批准", "Denied"],
  "tempStatus.closed": ["已结案", "Closed"],
  // application channels, the actors' roles, approval levels
  "channel.counter": ["窗口受理", "At the counter"],
  "channel.online": ["网上申请", "Online"],
  "channel.proxy": ["代为申请", "By proxy"],
  "role.caseworker": ["经办人员", "Caseworker"],
  "role.approver": ["审批人员", "Approver"],
  "role.supervisor": ["监管人员", "Supervisor"],
  "role.auditor": ["审计人员", "Auditor"],
  "role.integrator": ["对接系统", "Integrating system"],
  "role.admin": ["系统管理员", "Administrator"],
  "role.system": ["系统", "System"],
  "level.street": ["街道审批", "The street"],
  "level.district": ["区级审批", "The district"],
  // assistance-case events (DOMAIN.md 3.1)
  "event.ApplicationSubmitted": ["提交申请", "Application submitted"],
  "event.ApplicationAccepted": ["受理申请", "Application accepted"],
  "event.InvestigationStarted": ["启动调查", "Investigation started"],
  "event.EconomicCheckCompleted": ["家庭经济状况核对", "Economic check completed"],
  "event.HomeVisitConducted": ["入户调查", "Home visit"],
  "event.HouseholdAssessed": ["家庭评估", "Household assessed"],
  "event.PublicNoticePosted": ["张榜公示", "Public notice posted"],
  "event.PublicNoticeClosed": ["公示结束", "Public notice closed"],
  "event.EligibilityConfirmed": ["审核确认", "Eligibility confirmed"],
  "event.EligibilityDenied": ["不予批准", "Eligibility denied"],
  "event.ChangeReported": ["情况变更", "Change reported"],
  "event.PeriodicReviewCompleted": ["定期复核", "Periodic review"],
  "event.BenefitAdjusted": ["调整保障金", "Benefit adjusted"],
  "event.BenefitSuspended": ["暂停发放", "Benefit suspended"],
  "event.BenefitResumed": ["恢复发放", "Benefit resumed"],
  "event.GradualExitStarted": ["启动渐退", "Gradual exit started"],
  "event.EarlyWarningRaised": ["预警", "Early warning raised"],
  "event.EarlyWarningResolved": ["预警解除", "Early warning resolved"],
  "event.BenefitTerminated": ["终止保障", "Benefit terminated"],
  "event.MemberDeathRecorded": ["成员死亡登记", "Member's death recorded"],
  "event.PayeeChanged": ["变更收款人", "Payee changed"],
  "event.ProcessingExtended": ["延长办理期限", "Processing time extended"],
  "event.PersonalDataErased": ["个人信息删除", "Personal data erased"],
};

// The overview's older kinds, as aliases of the kinds above.
const ALIASES = { status: "caseStatus", finding: "findingStatus", conversion: "bedStatus", type: "tempType" };

const zh = {};
const en = {};
for (const [key, [z, e]] of Object.entries(NAMES)) {
  zh[`name.${key}`] = z;
  en[`name.${key}`] = e;
}
addMessages({ zh, en });

/** The human name of `code` in `kind` ("caseStatus", "event", ...), or the code itself. */
export function nameOf(kind, code) {
  if (code === null || code === undefined || code === "") return "—";
  const key = `name.${ALIASES[kind] || kind}.${code}`;
  const text = t(key);
  return text === key ? String(code) : text;
}

/** Is there a name for `code` in `kind`? (A code without one shows as itself.) */
export function hasName(kind, code) {
  const key = `name.${ALIASES[kind] || kind}.${code}`;
  return t(key) !== key;
}
