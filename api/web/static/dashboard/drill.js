// Drill-down: the lists behind the figures (#/cases, #/payouts, ...) and a case's page
// (#/case/<id>: timeline, audit findings, case-file export). Registers its routes with core.
