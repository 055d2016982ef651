// Live updates: one event stream per page. A caller that may stream reads
// /api/v1/events/stream with fetch (the Bearer header; EventSource cannot send one), parses
// the SSE frames, hands each CloudEvent to core's dispatchEvent, and reconnects after a drop
// from the last id with a growing pause, reset only once a stream has worked (delivered an
// event or stayed open 10 s). Whatever ends a stream, its response body is cancelled, so no
// connection is left open. Each event's area (GET /api/v1/events/types) names the panels it
// changes; those alone are refreshed, debounced, with minPosition = the event's position so
// the answer includes it. A caller without streams (a caseworker) polls the head position
// every 5 s instead. [data-live] shows which.
import { authorizedFetch, dispatchEvent, gql, onEvent, onLanguage, state, t } from "./core.js";
import { allPanels, panelsFor, refresh } from "./registry.js";

const DEBOUNCE_MS = 300;
const POLL_MS = 5000;
const MAX_PAUSE_MS = 30000;
const FIRST_PAUSE_MS = 1000;
const HEALTHY_MS = 10000; // a stream open this long (or one that delivered an event) worked
const MAX_FRAME = 1 << 20; // characters of one frame without a blank line: past it, reconnect

let session = 0; // a new start or a stop ends the loops of the one before
let controller = null;
let pollTimer = null;
let areas = new Map(); // event type -> area
let liveState = "off";

function setLive(value) {
  liveState = value;
  const node = document.querySelector("[data-live]");
  if (!node) return;
  node.dataset.live = value;
  const text = node.querySelector("[data-text-live]");
  if (text) text.textContent = t(`dash.live.${value}`);
}
onLanguage(() => setLive(liveState));

export function stopLive() {
  session += 1;
  controller?.abort();
  controller = null;
  clearTimeout(pollTimer);
  setLive("off");
}

/** Start the page's one stream (or the polling) for the current token and viewer. */
export function startLive(viewer) {
  stopLive();
  const mine = session;
  if (!state.token) return;
  if (viewer && !viewer.streams) poll(mine);
  else stream(mine);
}

/** The ledger's head position (the largest any view knows), or null when it cannot be read. */
async function head() {
  const data = await gql("{ projectionStatus { headPosition } }");
  return data.projectionStatus.reduce((m, r) => Math.max(m, r.headPosition), 0);
}

async function loadTypes() {
  const response = await authorizedFetch("/api/v1/events/types", { headers: { accept: "application/json" } });
  if (!response.ok) return response.status;
  areas = new Map((await response.json()).map((entry) => [entry.name, entry.area]));
  return 200;
}

const pause = (ms) => new Promise((resolve) => { setTimeout(resolve, ms); });

async function stream(mine) {
  setLive("connecting");
  let after;
  try {
    const status = await loadTypes();
    if (status === 401 || status === 403) return mine === session && poll(mine);
    after = await head();
  } catch (error) {
    console.warn("live: cannot start the stream", error.message);
    if (mine === session) setLive("off");
    return;
  }
  let wait = FIRST_PAUSE_MS;
  while (mine === session) {
    controller = new AbortController();
    const ours = controller;
    let healthy = false; // the stream delivered an event or stayed open HEALTHY_MS
    try {
      const response = await authorizedFetch(`/api/v1/events/stream?after=${after}`, {
        headers: { accept: "text/event-stream" },
        signal: ours.signal,
      });
      if (response.status === 401) return setLive("off"); // the token expired: a new one restarts
      if (response.status === 403) return poll(mine);
      if (response.status === 409) after = await head(); // past the head (a rebuilt database)
      else if (response.ok) {
        setLive("connected");
        const opened = Date.now();
        const ended = await read(response.body, mine, (position) => { after = position; }, () => { healthy = true; });
        if (Date.now() - opened >= HEALTHY_MS) healthy = true;
        if (ended === "token_expired") return setLive("off");
      } else {
        response.body?.cancel().catch(() => {});
      }
    } catch (error) {
      if (mine !== session) return;
      console.warn("live: stream dropped", error.name);
    } finally {
      ours.abort(); // whatever ended the stream, its connection is closed, never left open
    }
    if (mine !== session) return;
    // Only a stream that worked resets the pause: a proxy that answers 200 and closes at once
    // must not make every tab reconnect each second.
    if (healthy) wait = FIRST_PAUSE_MS;
    setLive("connecting");
    await pause(wait + Math.random() * 250);
    wait = Math.min(wait * 2, MAX_PAUSE_MS);
  }
}

/** Read SSE frames until the stream ends; `moved(position)` after each id, `delivered()` after
 * each event dispatched. The code of a server's `disconnect` frame, if one came. A frame that
 * is not JSON is skipped (and logged without its data); a frame that grows past MAX_FRAME
 * characters without ending ends the connection. The body is cancelled on every way out. */
async function read(body, mine, moved, delivered) {
  const reader = body.getReader();
  const decoder = new TextDecoder();
  let buffer = "";
  let finished = false;
  try {
    for (;;) {
      const { value, done } = await reader.read();
      if (done) finished = true;
      if (done || mine !== session) return null;
      buffer += decoder.decode(value, { stream: true });
      const blocks = buffer.split(/\r?\n\r?\n/);
      buffer = blocks.pop();
      if (buffer.length > MAX_FRAME) {
        console.warn("live: a frame without an end, over", MAX_FRAME, "characters: reconnecting");
        return "frame_too_long";
      }
      for (const block of blocks) {
        const frame = parse(block);
        if (frame.id !== undefined && /^\d+$/.test(frame.id)) moved(Number(frame.id));
        if (frame.event === "disconnect") {
          const info = json(frame.data || "{}") || {};
          if (Number.isInteger(info.position)) moved(info.position);
          return info.code || "disconnect";
        }
        if (frame.data && (!frame.event || frame.event === "message")) {
          const event = json(frame.data);
          if (event) {
            dispatchEvent(event);
            delivered();
          }
        }
      }
    }
  } finally {
    if (!finished) await reader.cancel().catch(() => {});
    reader.releaseLock();
  }
}

/** A frame's JSON data, or null (logged without the data, which may hold an event's fields). */
function json(text) {
  try {
    return JSON.parse(text);
  } catch {
    console.warn("live: skipped a frame that is not JSON");
    return null;
  }
}

/** One SSE block -> {id, event, data}; comment lines (": ping") and `retry:` are skipped. */
function parse(block) {
  const frame = {};
  for (const line of block.split(/\r?\n/)) {
    if (!line || line.startsWith(":")) continue;
    const at = line.indexOf(":");
    const field = at < 0 ? line : line.slice(0, at);
    const value = at < 0 ? "" : line.slice(at + 1).replace(/^ /, "");
    if (field === "data") frame.data = frame.data === undefined ? value : `${frame.data}\n${value}`;
    else if (field === "id" || field === "event") frame[field] = value;
  }
  return frame;
}

function poll(mine) {
  setLive("polling");
  let last = null;
  const tick = async () => {
    if (mine !== session) return;
    try {
      const now = await head();
      if (last !== null && now > last) refresh(allPanels(), now);
      last = now;
    } catch (error) {
      console.warn("live: polling failed", error.message);
    }
    if (mine === session) pollTimer = setTimeout(tick, POLL_MS);
  };
  tick();
}

// Events -> the panels their area changes, gathered for DEBOUNCE_MS after the first, then one
// refresh (a steady stream of events still refreshes every DEBOUNCE_MS, never starves).
let pending = new Set();
let pendingPosition = 0;
let timer = null;
onEvent((event) => {
  for (const name of panelsFor(areas.get(event.type))) pending.add(name);
  pendingPosition = Math.max(pendingPosition, Number(event.position) || 0);
  if (timer) return;
  timer = setTimeout(() => {
    timer = null;
    const names = [...pending];
    const position = pendingPosition;
    pending = new Set();
    if (names.length) refresh(names, position);
  }, DEBOUNCE_MS);
});
