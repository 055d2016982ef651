// The panel registry and the overview. A panel is {name, areas, wide, load(choice, opts),
// render(data, choice)}: `load` asks GraphQL for the chosen year and street, `render` turns
// the answer into DOM, `areas` are the event areas (GET /api/v1/events/types) that change it
// ("*": every event). The overview draws one section per panel and keeps the DOM contract:
// data-state loading|ok|forbidden|error, data-loaded counting every successful load.
import { el, onLanguage, route, state, t } from "./core.js";
import { release } from "./charts.js";

const panels = [];
const live = new Map(); // name -> {section, body, data, seq, loaded}

export function panel(definition) {
  panels.push({ areas: [], wide: false, ...definition });
}

/** The names of the panels an event of `area` changes. */
export function panelsFor(area) {
  return panels.filter((p) => p.areas.includes("*") || p.areas.includes(area)).map((p) => p.name);
}

export function allPanels() {
  return panels.map((p) => p.name);
}

function choice() {
  return { year: state.year, street: state.street || "" };
}

function stateOf(section, value) {
  section.dataset.state = value;
  section.setAttribute("aria-busy", value === "loading" ? "true" : "false");
}

function show(entry, definition) {
  release(entry.body);
  entry.body.replaceChildren();
  try {
    const drawn = definition.render(entry.data, choice());
    entry.body.append(...[drawn].flat().filter(Boolean));
  } catch (error) {
    console.error(`panel ${definition.name} failed to draw`, error);
    stateOf(entry.section, "error");
    entry.body.replaceChildren(el("p", { class: "problem" }, t("dash.panel.error", { message: error.message })));
  }
}

function failure(entry, error) {
  release(entry.body);
  const forbidden = Boolean(error.forbidden);
  stateOf(entry.section, forbidden ? "forbidden" : "error");
  entry.body.replaceChildren(
    el("p", { class: forbidden ? "forbidden" : "problem" },
      forbidden ? t("dash.panel.forbidden") : t("dash.panel.error", { message: error.message })),
  );
}

/** Load (or refresh) one panel; a later call wins over an earlier one still in flight. */
async function load(name, minPosition = null) {
  const entry = live.get(name);
  const definition = panels.find((p) => p.name === name);
  if (!entry || !definition || !entry.section.isConnected) return;
  // A live refresh leaves a refused panel alone: the same token is refused the same way.
  if (minPosition !== null && entry.section.dataset.state === "forbidden") return;
  const seq = ++entry.seq;
  if (entry.data === undefined) stateOf(entry.section, "loading");
  try {
    const data = await definition.load(choice(), { minPosition });
    if (seq !== entry.seq) return;
    entry.data = data;
    stateOf(entry.section, "ok");
    show(entry, definition);
    entry.loaded += 1;
    entry.section.dataset.loaded = String(entry.loaded);
  } catch (error) {
    if (seq !== entry.seq) return;
    entry.data = undefined;
    failure(entry, error);
  }
}

/** Refresh the named panels (all when none named), e.g. after a live event at `minPosition`. */
export function refresh(names = allPanels(), minPosition = null) {
  return Promise.all(names.map((name) => load(name, minPosition)));
}

function drawOverview(view) {
  for (const entry of live.values()) release(entry.body);
  live.clear();
  const grid = el("div", { class: "grid" });
  for (const definition of panels) {
    const title = el("h2", {}, t(`dash.panel.${definition.name}`));
    const body = el("div", { class: "panel-body" }, el("p", { class: "loading" }, t("dash.panel.loading")));
    const section = el(
      "section",
      { class: `panel${definition.wide ? " wide" : ""}`, "data-panel": definition.name, "data-state": "loading", "data-loaded": "0" },
      title, body,
    );
    live.set(definition.name, { section, body, title, data: undefined, seq: 0, loaded: 0 });
    grid.append(section);
  }
  view.replaceChildren(grid);
  return refresh();
}

/** The overview is the "" route; with no token it is a friendly prompt instead. */
route("", async (_params, view) => {
  if (!state.token) {
    for (const entry of live.values()) release(entry.body);
    live.clear();
    view.replaceChildren(prompt());
    return;
  }
  await drawOverview(view);
});

function prompt() {
  const dev = document.querySelector(".dev-role");
  return el(
    "section",
    { class: "prompt", "data-page": "prompt" },
    el("h2", {}, t("dash.who.prompt.title")),
    el("p", {}, t("dash.who.prompt.body")),
    dev && !dev.hidden ? el("p", {}, t("dash.who.prompt.dev")) : null,
  );
}

// A new language: the same answers drawn again with the new labels (charts included).
onLanguage(() => {
  for (const definition of panels) {
    const entry = live.get(definition.name);
    if (!entry) continue;
    entry.title.textContent = t(`dash.panel.${definition.name}`);
    if (entry.data !== undefined && entry.section.dataset.state === "ok") show(entry, definition);
    else if (entry.section.dataset.state === "forbidden") entry.body.firstChild.textContent = t("dash.panel.forbidden");
  }
  const view = document.getElementById("view");
  const promptNode = view?.querySelector('[data-page="prompt"]');
  if (promptNode) view.replaceChildren(prompt());
});
