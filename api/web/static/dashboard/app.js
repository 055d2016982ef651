// The dashboard's entry point: the header (who you are, year, street, language), the
// overview's panels, the live stream, and the drill-down routes.
import "./drill.js";
import "./messages.js";
import "./panels/index.js";
import { render, setLang, setToken, state } from "./core.js";
import { askChoices, clearChoices, fillChoices, initHeader, markDevRole, showSignOut } from "./header.js";
import { startLive, stopLive } from "./live.js";
import { refresh } from "./registry.js";
import { loadViewer, showPrompt, showProblem, showViewer } from "./who.js";

const view = document.getElementById("view");

function draw() {
  return render(view);
}

let identities = 0; // a newer identify() wins over one still waiting for its answers

/** A new token (or none): who it is, its choices, the live stream and the overview. */
async function identify() {
  const mine = ++identities;
  state.viewer = null;
  markDevRole("");
  showSignOut();
  stopLive();
  if (!state.token) {
    showPrompt();
    clearChoices();
    await draw();
    return;
  }
  const choices = askChoices(); // beside the viewer: one round trip fewer before the panels
  try {
    const viewer = await loadViewer();
    if (mine !== identities) return;
    state.viewer = viewer;
    showViewer(viewer);
    markDevRole(state.viewer.user);
  } catch (error) {
    if (mine !== identities) return;
    const unauthenticated = error.status === 401 ||
      (error.errors || []).some((e) => e.extensions?.code === "UNAUTHENTICATED");
    showProblem(error.message, unauthenticated);
    if (unauthenticated) {
      setToken(""); // a token the server refuses is no identity: back to the prompt
      showSignOut();
      clearChoices();
      await draw();
      return;
    }
  }
  const answer = await choices;
  if (mine !== identities) return;
  fillChoices(state.viewer, answer);
  // The stream first: it starts from the head it reads now, so no event between the panels'
  // answers and its start is missed.
  startLive(state.viewer);
  await draw();
}

async function changed(what) {
  if (what === "identity") await identify();
  else if (location.hash.replace(/^#\/?/, "") === "") refresh();
  else location.hash = "#/";
}

setLang(state.lang);
const ready = initHeader(changed);
window.addEventListener("hashchange", draw);
// With a token, at once; without one, after the demo roles (so the prompt can mention them).
if (state.token) identify();
else ready.finally(identify);
