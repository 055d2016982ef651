// The dashboard's entry point: the header (who you are, year, street, language), the
// overview's panels, the live stream, and the drill-down routes.
import "./drill.js";
import "./messages.js";
import "./panels/index.js";
import { render, setLang, setToken, state } from "./core.js";
import { clearChoices, fillChoices, initHeader, markDevRole, showSignOut } from "./header.js";
import { startLive, stopLive } from "./live.js";
import { refresh } from "./registry.js";
import { loadViewer, showPrompt, showProblem, showViewer } from "./who.js";

const view = document.getElementById("view");

function draw() {
  return render(view);
}

/** A new token (or none): who it is, its choices, the overview, and the live stream. */
async function identify() {
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
  try {
    state.viewer = await loadViewer();
    showViewer(state.viewer);
    markDevRole(state.viewer.user);
  } catch (error) {
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
  await fillChoices(state.viewer);
  await draw();
  startLive(state.viewer);
}

async function changed(what) {
  if (what === "identity") await identify();
  else if (location.hash.replace(/^#\/?/, "") === "") refresh();
  else location.hash = "#/";
}

setLang(state.lang);
const ready = initHeader(changed);
window.addEventListener("hashchange", draw);
// The demo roles first (so the prompt can mention them), then who the token is.
ready.finally(identify);
