// The lists behind the care, organisation and village panels, from the GraphQL lists that
// exist (organizations, villageConversions, bedConversions). Temporary assistance has no
// list in the API (only temporaryCase(id) and the statistics), so its page says so.
import { addMessages, count, el, route, t, yuan } from "./core.js";
import { backLinks, begin, claim, day, setTitle, shortId } from "./drill-common.js";
import { registerList } from "./drill-list.js";
import { nameOf } from "./drill-names.js";

addMessages({
  zh: {
    "organizations.title": "社会组织", "villages.title": "撤村转居", "beds.title": "床位转换",
    "temporary.title": "临时救助",
    "temporary.none":
      "接口没有提供临时救助个案的列表（只有按编号查询单个个案和统计数字）。可从审计发现进入单个临时救助个案。",
    "temporary.findings": "查看临时救助的审计发现（A13）",
    "col.name": "名称", "col.type": "类型", "col.grade": "等级", "col.inspection": "年检",
    "col.inspectionDue": "待年检", "col.registeredOn": "登记日期", "col.village": "村",
    "col.step": "进度", "col.initiatedOn": "启动日期", "col.vote": "表决",
    "col.completedOn": "完成日期", "col.institutionId": "机构", "col.fromType": "原床位类型",
    "col.toType": "转换为", "col.number": "床位数", "col.appliedOn": "申请日期",
    "col.subsidy": "补贴（元）", "beds.byStatus": "各环节：",
  },
  en: {
    "organizations.title": "Social organisations", "villages.title": "Village conversions",
    "beds.title": "Bed conversions", "temporary.title": "Temporary assistance",
    "temporary.none":
      "The API offers no list of temporary-assistance cases (only one case by its id, and the " +
      "statistics). Open a temporary case from an audit finding.",
    "temporary.findings": "Temporary-assistance audit findings (A13)",
    "col.name": "Name", "col.type": "Type", "col.grade": "Grade", "col.inspection": "Inspection",
    "col.inspectionDue": "Inspection due", "col.registeredOn": "Registered", "col.village": "Village",
    "col.step": "Step", "col.initiatedOn": "Initiated", "col.vote": "Vote",
    "col.completedOn": "Completed", "col.institutionId": "Institution", "col.fromType": "From",
    "col.toType": "To", "col.number": "Beds", "col.appliedOn": "Applied",
    "col.subsidy": "Subsidy (元)", "beds.byStatus": "By step: ",
  },
});

registerList({
  name: "organizations",
  title: "organizations.title",
  root: "organizations",
  filterType: "OrganizationFilter",
  params: { street: "text", type: "text", status: "text", grade: "text", inspectionDue: "bool" },
  names: { type: "orgType", status: "orgStatus" },
  fields: `id name type street status grade gradeValid lastInspectionYear lastInspectionResult
    inspectionDue registeredOn`,
  aggregates: ["SocialOrganization"],
  rowAttrs: (n) => ({ "data-organization-id": n.id }),
  columns: () => [
    { label: t("col.name"), cell: (n) => n.name },
    { label: t("col.type"), cell: (n) => nameOf("orgType", n.type) },
    { label: t("col.street"), cell: (n) => n.street },
    { label: t("col.status"), cell: (n) => nameOf("orgStatus", n.status) },
    { label: t("col.grade"), cell: (n) => n.grade ?? "—" },
    {
      label: t("col.inspection"),
      cell: (n) => (n.lastInspectionYear ? `${n.lastInspectionYear} ${nameOf("inspection", n.lastInspectionResult)}` : "—"),
    },
    { label: t("col.registeredOn"), cell: (n) => day(n.registeredOn) },
  ],
});

registerList({
  name: "villages",
  title: "villages.title",
  root: "villageConversions",
  filterType: "VillageConversionFilter",
  params: { street: "text", village: "text", step: "text" },
  names: { step: "step" },
  fields: "id village street step stepNumber stepsTotal initiatedOn voteResult completedOn",
  aggregates: ["VillageConversion"],
  rowAttrs: (n) => ({ "data-village-id": n.id }),
  columns: () => [
    { label: t("col.village"), cell: (n) => n.village },
    { label: t("col.street"), cell: (n) => n.street },
    { label: t("col.step"), cell: (n) => `${nameOf("step", n.step)} (${n.stepNumber}/${n.stepsTotal})` },
    { label: t("col.initiatedOn"), cell: (n) => day(n.initiatedOn) },
    { label: t("col.vote"), cell: (n) => (n.voteResult ? nameOf("step", `vote_${n.voteResult}`) : "—") },
    { label: t("col.completedOn"), cell: (n) => day(n.completedOn) },
  ],
});

registerList({
  name: "beds",
  title: "beds.title",
  root: "bedConversions",
  filterType: "BedConversionFilter",
  params: { street: "text", status: "text", institutionId: "text", fromType: "text", toType: "text" },
  names: { status: "bedStatus", fromType: "bedType", toType: "bedType" },
  fields: "id institutionId street fromType toType number status appliedOn completedOn subsidyFen",
  aggregates: ["BedConversion"],
  rowAttrs: (n) => ({ "data-conversion-id": n.id }),
  more: "byStatus { status conversions beds }",
  summary: (connection) => el("p", { class: "drill-muted" }, t("beds.byStatus"),
    connection.byStatus.filter((s) => s.conversions).map((s) => `${nameOf("bedStatus", s.status)} ${count(s.conversions)} (${count(s.beds)})`).join(" · ")),
  columns: () => [
    { label: t("col.institutionId"), cell: (n) => shortId(n.institutionId) },
    { label: t("col.street"), cell: (n) => n.street },
    { label: t("col.fromType"), cell: (n) => nameOf("bedType", n.fromType) },
    { label: t("col.toType"), cell: (n) => nameOf("bedType", n.toType) },
    { label: t("col.number"), cell: (n) => count(n.number) },
    { label: t("col.status"), cell: (n) => nameOf("bedStatus", n.status) },
    { label: t("col.appliedOn"), cell: (n) => day(n.appliedOn) },
    { label: t("col.completedOn"), cell: (n) => day(n.completedOn) },
    { label: t("col.subsidy"), cell: (n) => el("span", { "data-value": n.subsidyFen }, yuan(n.subsidyFen)) },
  ],
});

claim("temporary");
route("temporary", (params, root) => {
  begin();
  setTitle(t("temporary.title"));
  root.replaceChildren(el("section", { class: "drill-page", "data-page": "temporary", "data-state": "ok", "data-list": "none" },
    backLinks(null),
    el("h2", {}, t("temporary.title")),
    el("p", { class: "drill-note" }, t("temporary.none")),
    el("p", {}, el("a", { href: "#/findings?rule=A13" }, t("temporary.findings")))));
});
