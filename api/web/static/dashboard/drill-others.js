// The lists behind the care, organisation and village panels, from the GraphQL lists that
// exist (organizations, villageConversions, bedConversions). Temporary assistance has no
// list in the API (only temporaryCase(id) and the statistics), so its page says so.
import { addMessages, count, el, route, t, yuan } from "./core.js";
import { backLinks, begin, claim, day, setTitle, shortId } from "./drill-common.js";
import { registerList } from "./drill-list.js";
import { nameOf } from "./drill-names.js";

addMessages({
  zh: {
    "drill.organizations.title": "社会组织", "drill.villages.title": "撤村转居", "drill.beds.title": "床位转换",
    "drill.temporary.title": "临时救助",
    "drill.temporary.none":
      "接口没有提供临时救助个案的列表（只有按编号查询单个个案和统计数字）。可从审计发现进入单个临时救助个案。",
    "drill.temporary.findings": "查看临时救助的审计发现（A13）",
    "drill.col.name": "名称", "drill.col.type": "类型", "drill.col.grade": "等级", "drill.col.inspection": "年检",
    "drill.col.inspectionDue": "待年检", "drill.col.registeredOn": "登记日期", "drill.col.village": "村",
    "drill.col.step": "进度", "drill.col.initiatedOn": "启动日期", "drill.col.vote": "表决",
    "drill.col.completedOn": "完成日期", "drill.col.institutionId": "机构", "drill.col.fromType": "原床位类型",
    "drill.col.toType": "转换为", "drill.col.number": "床位数", "drill.col.appliedOn": "申请日期",
    "drill.col.subsidy": "补贴（元）", "drill.beds.byStatus": "各环节：",
  },
  en: {
    "drill.organizations.title": "Social organisations", "drill.villages.title": "Village conversions",
    "drill.beds.title": "Bed conversions", "drill.temporary.title": "Temporary assistance",
    "drill.temporary.none":
      "The API offers no list of temporary-assistance cases (only one case by its id, and the " +
      "statistics). Open a temporary case from an audit finding.",
    "drill.temporary.findings": "Temporary-assistance audit findings (A13)",
    "drill.col.name": "Name", "drill.col.type": "Type", "drill.col.grade": "Grade", "drill.col.inspection": "Inspection",
    "drill.col.inspectionDue": "Inspection due", "drill.col.registeredOn": "Registered", "drill.col.village": "Village",
    "drill.col.step": "Step", "drill.col.initiatedOn": "Initiated", "drill.col.vote": "Vote",
    "drill.col.completedOn": "Completed", "drill.col.institutionId": "Institution", "drill.col.fromType": "From",
    "drill.col.toType": "To", "drill.col.number": "Beds", "drill.col.appliedOn": "Applied",
    "drill.col.subsidy": "Subsidy (yuan)", "drill.beds.byStatus": "By step: ",
  },
});

registerList({
  name: "organizations",
  title: "drill.organizations.title",
  root: "organizations",
  filterType: "OrganizationFilter",
  params: { street: "text", type: "text", status: "text", grade: "text", inspectionDue: "bool", asOf: "date" },
  names: { type: "orgType", status: "orgStatus" },
  fields: `id name type street status grade gradeValid lastInspectionYear lastInspectionResult
    inspectionDue registeredOn`,
  aggregates: ["SocialOrganization"],
  rowAttrs: (n) => ({ "data-organization-id": n.id }),
  columns: () => [
    { label: t("drill.col.name"), cell: (n) => n.name },
    { label: t("drill.col.type"), cell: (n) => nameOf("orgType", n.type) },
    { label: t("drill.col.street"), cell: (n) => n.street },
    { label: t("drill.col.status"), cell: (n) => nameOf("orgStatus", n.status) },
    { label: t("drill.col.grade"), cell: (n) => n.grade ?? "—" },
    {
      label: t("drill.col.inspection"),
      cell: (n) => (n.lastInspectionYear ? `${n.lastInspectionYear} ${nameOf("inspection", n.lastInspectionResult)}` : "—"),
    },
    { label: t("drill.col.registeredOn"), cell: (n) => day(n.registeredOn) },
  ],
});

registerList({
  name: "villages",
  title: "drill.villages.title",
  root: "villageConversions",
  filterType: "VillageConversionFilter",
  params: { street: "text", village: "text", step: "text" },
  names: { step: "step" },
  fields: "id village street step stepNumber stepsTotal initiatedOn voteResult completedOn",
  aggregates: ["VillageConversion"],
  rowAttrs: (n) => ({ "data-village-id": n.id }),
  columns: () => [
    { label: t("drill.col.village"), cell: (n) => n.village },
    { label: t("drill.col.street"), cell: (n) => n.street },
    { label: t("drill.col.step"), cell: (n) => `${nameOf("step", n.step)} (${n.stepNumber}/${n.stepsTotal})` },
    { label: t("drill.col.initiatedOn"), cell: (n) => day(n.initiatedOn) },
    { label: t("drill.col.vote"), cell: (n) => (n.voteResult ? nameOf("step", `vote_${n.voteResult}`) : "—") },
    { label: t("drill.col.completedOn"), cell: (n) => day(n.completedOn) },
  ],
});

registerList({
  name: "beds",
  title: "drill.beds.title",
  root: "bedConversions",
  filterType: "BedConversionFilter",
  params: { street: "text", status: "text", institutionId: "text", fromType: "text", toType: "text" },
  names: { status: "bedStatus", fromType: "bedType", toType: "bedType" },
  fields: "id institutionId street fromType toType number status appliedOn completedOn subsidyFen",
  aggregates: ["BedConversion"],
  rowAttrs: (n) => ({ "data-conversion-id": n.id }),
  more: "byStatus { status conversions beds }",
  summary: (connection) => el("p", { class: "drill-muted" }, t("drill.beds.byStatus"),
    connection.byStatus.filter((s) => s.conversions).map((s) => `${nameOf("bedStatus", s.status)} ${count(s.conversions)} (${count(s.beds)})`).join(" · ")),
  columns: () => [
    { label: t("drill.col.institutionId"), cell: (n) => shortId(n.institutionId) },
    { label: t("drill.col.street"), cell: (n) => n.street },
    { label: t("drill.col.fromType"), cell: (n) => nameOf("bedType", n.fromType) },
    { label: t("drill.col.toType"), cell: (n) => nameOf("bedType", n.toType) },
    { label: t("drill.col.number"), cell: (n) => count(n.number) },
    { label: t("drill.col.status"), cell: (n) => nameOf("bedStatus", n.status) },
    { label: t("drill.col.appliedOn"), cell: (n) => day(n.appliedOn) },
    { label: t("drill.col.completedOn"), cell: (n) => day(n.completedOn) },
    { label: t("drill.col.subsidy"), cell: (n) => el("span", { "data-value": n.subsidyFen }, yuan(n.subsidyFen)) },
  ],
});

claim("temporary");
route("temporary", (params, root) => {
  begin();
  setTitle(t("drill.temporary.title"));
  root.replaceChildren(el("section", { class: "drill-page", "data-page": "temporary", "data-state": "ok", "data-list": "none" },
    backLinks(null),
    el("h2", {}, t("drill.temporary.title")),
    el("p", { class: "drill-note" }, t("drill.temporary.none")),
    el("p", {}, el("a", { href: "#/findings?rule=A13" }, t("drill.temporary.findings")))));
});
