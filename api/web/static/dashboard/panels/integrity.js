// Tamper evidence: the latest signed checkpoint (tree size, root hash prefix, when signed),
// how far sealing lags the ledger's head, and the last verification's result.
import { addMessages, count, el, gql, t } from "../core.js";
import { figure, scope } from "../figures.js";
import { panel } from "../registry.js";

// Whose key checked the last verification (security review 9): the ledger's own is a self-check.
addMessages({
  zh: {
    "dash.integrity.key": "密钥",
    "dash.integrity.key.ledger": "账本自带公钥（自检）",
    "dash.integrity.key.held": "审计方持有的公钥",
    "dash.integrity.key.unrecorded": "未记录",
    "dash.integrity.heldCheckpoints": "，另核对 {n} 个自持检查点",
  },
  en: {
    "dash.integrity.key": "Checked with",
    "dash.integrity.key.ledger": "the ledger's own key (a self-check)",
    "dash.integrity.key.held": "a key the auditor holds",
    "dash.integrity.key.unrecorded": "not recorded",
    "dash.integrity.heldCheckpoints": ", and {n} checkpoints the auditor kept",
  },
});

const KEYS = {
  ledger: "dash.integrity.key.ledger", held: "dash.integrity.key.held", unrecorded: "dash.integrity.key.unrecorded",
};

panel({
  name: "integrity",
  areas: ["*"],
  async load(_choice, { minPosition }) {
    const data = await gql(
      `{ ledgerIntegrity {
          headPosition sealedSize sealLagEvents sealLagSeconds
          latestCheckpoint { treeSize rootHash signedAt }
          lastVerification { at ok treeSize checkpointsChecked firstBadPosition detail key keyFingerprint heldCheckpoints }
      } }`,
      {},
      { minPosition },
    );
    return data.ledgerIntegrity;
  },
  render(g) {
    const cp = g.latestCheckpoint;
    const run = g.lastVerification;
    const checkpoint = cp
      ? [row(t("dash.integrity.treeSize"), figure("integrity.treeSize", cp.treeSize, count(cp.treeSize))),
        row(t("dash.integrity.rootHash"), el("code", { title: cp.rootHash, "data-field": "rootHash" }, `${cp.rootHash.slice(0, 12)}…`)),
        row(t("dash.integrity.signedAt"), el("time", { datetime: cp.signedAt }, when(cp.signedAt)))]
      : [el("p", { class: "note" }, t("dash.integrity.noCheckpoint"))];
    const verification = run
      ? [row(t("dash.integrity.verification"),
        el("span", { class: run.ok ? "ok" : "bad", "data-field": "verification", "data-value": run.ok ? "ok" : "failed" },
          run.ok ? t("dash.integrity.ok") : t("dash.integrity.failed")), " · ", el("time", { datetime: run.at }, when(run.at))),
      row(t("dash.integrity.key"), el("span", { "data-field": "verificationKey", "data-value": run.key,
        title: run.keyFingerprint ? `SHA-256 ${run.keyFingerprint}` : null, class: run.key === "held" ? "ok" : null },
      t(KEYS[run.key] ?? "dash.integrity.key.unrecorded")),
      run.heldCheckpoints ? t("dash.integrity.heldCheckpoints", { n: run.heldCheckpoints }) : null,
      run.keyFingerprint ? [" · ", el("code", { "data-field": "keyFingerprint" }, run.keyFingerprint)] : null),
      run.ok || run.firstBadPosition === null ? null
        : row("", figure("integrity.firstBadPosition", run.firstBadPosition, t("dash.integrity.firstBad", { position: run.firstBadPosition })))]
      : [row(t("dash.integrity.verification"), el("span", { class: "bad", "data-field": "verification", "data-value": "never" }, t("dash.integrity.never")))];
    return [scope(t("dash.scope.ledger")), el("dl", { class: "facts" },
      el("div", { class: "facts-head" }, t("dash.integrity.checkpoint")), checkpoint,
      row(t("dash.integrity.sealLagEvents"), figure("integrity.sealLagEvents", g.sealLagEvents, count(g.sealLagEvents))),
      row(t("dash.integrity.sealLagSeconds"), figure("integrity.sealLagSeconds", g.sealLagSeconds, `${Number(g.sealLagSeconds).toFixed(1)} ${t("dash.unit.seconds")}`)),
      row(t("dash.integrity.headPosition"), figure("integrity.headPosition", g.headPosition, count(g.headPosition))),
      row(t("dash.integrity.sealedSize"), figure("integrity.sealedSize", g.sealedSize, count(g.sealedSize))),
      verification)];
  },
});

function row(label, ...value) {
  return el("div", { class: "fact" }, el("dt", {}, label), el("dd", {}, ...value));
}

/** An ISO time in the reader's local time, to the minute. */
function when(iso) {
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? iso : date.toLocaleString(document.documentElement.lang, {
    year: "numeric", month: "2-digit", day: "2-digit", hour: "2-digit", minute: "2-digit",
  });
}
