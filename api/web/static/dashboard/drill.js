// Drill-down: the lists behind the figures (#/cases, #/payouts, #/findings, #/organizations,
// #/villages, #/beds; #/temporary says the API has no such list) and a case's page
// (#/case/<id>: summary, timeline, audit findings, payouts, case-file export). Importing this
// module registers the routes with core's router; its styles are drill.css.
import "./drill-lists.js";
import "./drill-others.js";
import "./case.js";
