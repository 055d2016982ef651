// The case-file export button: GET /api/v1/cases/{id}/export with the caller's token, saved
// as a file through a Blob; a refusal shows the problem+json detail. A caller who sees personal
// data in full must state a purpose (the X-Purpose header); the page never invents one, and
// asks for it before sending rather than provoking the API's 400.
import { addMessages, authorizedFetch, el, gql, headerText, state, t } from "./core.js";

addMessages({
  zh: {
    "drill.export.title": "案卷导出",
    "drill.export.hint": "导出完整案卷（每个事件及其包含证明），供审计核验。",
    "drill.export.purpose": "用途（查看完整个人信息时必填）",
    "drill.export.button": "导出案卷",
    "drill.export.busy": "正在导出…",
    "drill.export.done": "已下载 {file}",
    "drill.export.refused": "未能导出（{status}）：{detail}",
    "drill.export.needPurpose": "当前身份导出的案卷含完整个人信息，请先填写用途（将记录在查阅留痕中）。",
  },
  en: {
    "drill.export.title": "Case file",
    "drill.export.hint": "The whole case file (every event with its inclusion proof), for an auditor to verify.",
    "drill.export.purpose": "Purpose (needed when you see personal data in full)",
    "drill.export.button": "Export the case file",
    "drill.export.busy": "Exporting…",
    "drill.export.done": "Downloaded {file}",
    "drill.export.refused": "Not exported ({status}): {detail}",
    "drill.export.needPurpose":
      "Your role exports the case file with personal data in full: give the purpose first (it is recorded).",
  },
});

const learnt = new Set(); // tokens a page found needing a purpose before the viewer was known

/** True when this caller sees personal data in full, which the API grants only for a purpose. */
export function needsPurpose() {
  return state.viewer ? state.viewer.personalData === "full" : learnt.has(state.token);
}

/** The page learnt (the API held personal fields back) that this caller needs a purpose. */
export function purposeNeeded() {
  learnt.add(state.token);
}

/** A GraphQL query sent with a stated purpose (X-Purpose): the API then answers personal
 * fields in full and records the read, as for any other read in full. */
export function gqlWithPurpose(query, variables, purpose) {
  return gql(query, variables, { purpose });
}

async function problemDetail(response) {
  try {
    const body = await response.json();
    return body.detail || body.title || response.statusText;
  } catch {
    return response.statusText || `HTTP ${response.status}`;
  }
}

async function download(caseId, purpose, output) {
  output.dataset.state = "loading";
  output.textContent = t("drill.export.busy");
  const headers = { accept: "application/json" };
  if (purpose.trim()) headers["x-purpose"] = headerText(purpose.trim());
  let response;
  try {
    response = await authorizedFetch(`/api/v1/cases/${encodeURIComponent(caseId)}/export`, { headers });
  } catch (error) {
    output.dataset.state = "error";
    output.textContent = t("drill.export.refused", { status: "—", detail: error.message });
    return;
  }
  if (!response.ok) {
    output.dataset.state = response.status === 401 || response.status === 403 ? "forbidden" : "error";
    output.textContent = t("drill.export.refused", { status: response.status, detail: await problemDetail(response) });
    return;
  }
  const blob = await response.blob();
  const file = `case-${caseId}.json`;
  const url = URL.createObjectURL(blob);
  const anchor = el("a", { href: url, download: file, hidden: true });
  document.body.append(anchor);
  anchor.click();
  anchor.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
  output.dataset.state = "ok";
  output.textContent = t("drill.export.done", { file });
}

/** The export card for `caseId`. */
export function exportCard(caseId) {
  const purpose = el("input", {
    type: "text", name: "purpose", maxlength: 200, autocomplete: "off", "data-field": "purpose",
    required: needsPurpose(), "aria-required": needsPurpose() ? "true" : null,
  });
  const output = el("p", { class: "drill-export-result", role: "status", "aria-live": "polite", "data-field": "export-result" });
  const button = el("button", { type: "button", "data-action": "export" }, t("drill.export.button"));
  button.addEventListener("click", async () => {
    if (needsPurpose() && !purpose.value.trim()) {
      output.dataset.state = "needs-purpose";
      output.textContent = t("drill.export.needPurpose");
      purpose.focus();
      return;
    }
    button.disabled = true;
    try {
      await download(caseId, purpose.value, output);
    } finally {
      button.disabled = false;
    }
  });
  return el("div", { class: "drill-card drill-export", "data-part": "export" },
    el("h3", {}, t("drill.export.title")),
    el("p", { class: "drill-muted" }, t("drill.export.hint")),
    el("label", {}, t("drill.export.purpose"), purpose),
    button,
    output);
}
