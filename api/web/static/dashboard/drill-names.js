// Human names, in Chinese and English, for the codes the API answers with: programmes,
// statuses, event types, audit rules (DOMAIN.md). A code without a name shows as itself.
import { addMessages, t } from "./core.js";

const NAMES = {
  // programmes (DOMAIN.md 1)
  "programme.DIBAO": ["低保", "Minimum living guarantee (DIBAO)"],
  "programme.TEKUN": ["特困供养", "Extreme-poverty support (TEKUN)"],
  "programme.DIBAO_EDGE": ["低保边缘", "DIBAO edge household"],
  "programme.HARDSHIP": ["支出型困难", "Expenditure hardship"],
  // assistance-case statuses
  "caseStatus.submitted": ["已申请", "Submitted"],
  "caseStatus.accepted": ["已受理", "Accepted"],
  "caseStatus.active": ["在保", "In payment"],
  "caseStatus.denied": ["不予批准", "Denied"],
  "caseStatus.suspended": ["暂停发放", "Suspended"],
  "caseStatus.terminated": ["已停保", "Terminated"],
  // deadlines (overdue flags and overdueDeadline)
  "deadline.investigation": ["调查逾期", "Investigation late"],
  "deadline.decision": ["审批逾期", "Decision late"],
  "deadline.case": ["办结逾期", "Case late"],
  "deadline.review": ["复核逾期", "Review late"],
  // payouts
  "payoutStatus.scheduled": ["待发放", "Scheduled"],
  "payoutStatus.settled": ["已发放", "Settled"],
  "payoutStatus.failed": ["发放失败", "Failed"],
  "payoutStatus.reversed": ["已冲正", "Reversed"],
  // audit findings
  "findingStatus.raised": ["待处理", "Raised"],
  "findingStatus.acknowledged": ["已确认", "Acknowledged"],
  "findingStatus.rectified": ["已整改", "Rectified"],
  "findingStatus.dismissed": ["已排除", "Dismissed"],
  "findingStatus.resolved": ["已消除", "Resolved"],
  "severity.high": ["高", "High"],
  "severity.medium": ["中", "Medium"],
  "severity.low": ["低", "Low"],
  "rule.A01": ["死亡后发放", "Paid after death"],
  "rule.A02": ["停保或暂停后发放", "Paid after termination or suspension"],
  "rule.A03": ["重复发放", "Duplicate payment"],
  "rule.A04": ["重复享受", "Double enrolment"],
  "rule.A05": ["财产不符", "Excluded assets"],
  "rule.A06": ["优亲厚友风险", "Favouritism risk"],
  "rule.A07": ["未经程序纳入", "Inclusion without procedure"],
  "rule.A08": ["程序瑕疵", "Process defect"],
  "rule.A09": ["办理超时", "Over-long processing"],
  "rule.A10": ["未按期复核", "Missed review"],
  "rule.A11": ["渐退超期", "Gradual exit too long"],
  "rule.A12": ["金额错误", "Wrong amount"],
  "rule.A13": ["临时救助异常", "Temporary-assistance abuse"],
  "rule.A14": ["共用收款账户", "Shared payee account"],
  // social organisations
  "orgStatus.registered": ["已登记", "Registered"],
  "orgStatus.liquidating": ["清算中", "Liquidating"],
  "orgStatus.deregistered": ["已注销", "Deregistered"],
  "orgStatus.revoked": ["已撤销登记", "Registration revoked"],
  "orgType.SOCIAL_GROUP": ["社会团体", "Social group"],
  "orgType.SOCIAL_SERVICE": ["民办非企业单位", "Social service organisation"],
  "orgType.FOUNDATION": ["基金会", "Foundation"],
  "inspection.pass": ["合格", "Pass"],
  "inspection.basic_pass": ["基本合格", "Basic pass"],
  "inspection.fail": ["不合格", "Fail"],
  // village conversions
  "step.initiated": ["已启动", "Initiated"],
  "step.assets_verified": ["清产核资", "Assets verified"],
  "step.membership_confirmed": ["成员认定", "Membership confirmed"],
  "step.restructured": ["集体改制", "Collective restructured"],
  "step.vote_failed": ["表决未通过", "Vote failed"],
  "step.vote_passed": ["表决通过", "Vote passed"],
  "step.deregistered": ["撤村", "Village deregistered"],
  "step.residents_committee_established": ["居委会成立", "Residents' committee established"],
  "step.completed": ["完成", "Completed"],
  // bed conversions
  "bedStatus.applied": ["已申请", "Applied"],
  "bedStatus.inspection_failed": ["查验未通过", "Inspection failed"],
  "bedStatus.inspected": ["已查验", "Inspected"],
  "bedStatus.approved": ["已批准", "Approved"],
  "bedStatus.completed": ["已完成", "Completed"],
  "bedStatus.rejected": ["不予批准", "Rejected"],
  "bedType.elderly_care": ["养老床位", "Elderly care"],
  "bedType.nursing": ["护理型床位", "Nursing"],
  "bedType.medical": ["医疗床位", "Medical"],
  "bedType.home_care": ["家庭养老床位", "Home care"],
  "bedType.hospice": ["安宁疗护床位", "Hospice"],
  // temporary assistance
  "tempType.EMERGENCY": ["急难型", "Emergency"],
  "tempType.EXPENDITURE": ["支出型", "Expenditure"],
  "tempStatus.requested": ["已申请", "Requested"],
  "tempStatus.advanced": ["已先行救助", "Advance aid paid"],
  "tempStatus.documented": ["手续已补齐", "Paperwork done"],
  "tempStatus.granted": ["已批准", "Granted"],
  "tempStatus.denied": ["不予批准", "Denied"],
  "tempStatus.closed": ["已结案", "Closed"],
  // application channels and the actors' roles
  "channel.counter": ["窗口受理", "At the counter"],
  "channel.online": ["网上申请", "Online"],
  "channel.proxy": ["代为申请", "By proxy"],
  "role.caseworker": ["经办人员", "caseworker"],
  "role.approver": ["审批人员", "approver"],
  "role.supervisor": ["监管人员", "supervisor"],
  "role.auditor": ["审计人员", "auditor"],
  "role.integrator": ["对接系统", "integrator"],
  "role.admin": ["管理员", "admin"],
  "role.system": ["系统", "system"],
  "level.street": ["街道审批", "the street"],
  "level.district": ["区级审批", "the district"],
  // assistance-case events (DOMAIN.md 3.1)
  "event.ApplicationSubmitted": ["提交申请", "Application submitted"],
  "event.ApplicationAccepted": ["受理", "Application accepted"],
  "event.EconomicCheckCompleted": ["家庭经济状况核对", "Economic check completed"],
  "event.HomeVisitConducted": ["入户调查", "Home visit conducted"],
  "event.HouseholdAssessed": ["家庭评估", "Household assessed"],
  "event.PublicNoticePosted": ["公示", "Public notice posted"],
  "event.PublicNoticeClosed": ["公示结束", "Public notice closed"],
  "event.EligibilityConfirmed": ["审核确认", "Eligibility confirmed"],
  "event.EligibilityDenied": ["不予批准", "Eligibility denied"],
  "event.ChangeReported": ["情况变更", "Change reported"],
  "event.PeriodicReviewCompleted": ["定期复核", "Periodic review completed"],
  "event.BenefitAdjusted": ["调整保障金", "Benefit adjusted"],
  "event.BenefitSuspended": ["暂停发放", "Benefit suspended"],
  "event.BenefitResumed": ["恢复发放", "Benefit resumed"],
  "event.GradualExitStarted": ["渐退", "Gradual exit started"],
  "event.EarlyWarningRaised": ["预警", "Early warning raised"],
  "event.EarlyWarningResolved": ["预警解除", "Early warning resolved"],
  "event.BenefitTerminated": ["停保", "Benefit terminated"],
  "event.MemberDeathRecorded": ["成员死亡登记", "Member's death recorded"],
  "event.PayeeChanged": ["变更收款人", "Payee changed"],
  "event.ProcessingExtended": ["延长办理期限", "Processing extended"],
};

const zh = {};
const en = {};
for (const [key, [z, e]] of Object.entries(NAMES)) {
  zh[`drill.name.${key}`] = z;
  en[`drill.name.${key}`] = e;
}
addMessages({ zh, en });

/** The human name of `code` in `kind` ("caseStatus", "event", ...), or the code itself. */
export function nameOf(kind, code) {
  if (code === null || code === undefined || code === "") return "—";
  const key = `drill.name.${kind}.${code}`;
  const text = t(key);
  return text === key ? String(code) : text;
}
