// The drill-down pages' names for codes: the dashboard's one vocabulary (vocabulary.js), so a
// list uses the same words as the overview figure that opened it.
export { nameOf } from "./vocabulary.js";
