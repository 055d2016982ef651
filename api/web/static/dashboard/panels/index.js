// The overview's panels, in the order the grid shows them.
import "./kpis.js";
import "./payouts.js";
import "./caseload.js";
import "./overdue.js";
import "./temporary.js";
import "./beds.js";
import "./organizations.js";
import "./villages.js";
import "./audit.js";
import "./integrity.js";
import "./health.js";
