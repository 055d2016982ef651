// The dashboard's entry point: the header (who you are, year, street, language), the
// overview's panels, the live stream, and the drill-down routes.
import "./drill.js";
