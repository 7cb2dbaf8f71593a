import "server-only";
import {
  AlertmanagerFileTarget,
  GrafanaTarget,
  MimirTarget,
  PrometheusFileTarget,
  type DesiredArtifact,
  type KeptItem,
  type QuarantinedItem,
  type Target,
  type TargetOutcome,
  type TargetRequest,
} from "@burnrate/integrations";
import type { PushTarget } from "@burnrate/db";
import { massDeletion as massDeletionOf } from "@burnrate/domain";
import { createHash } from "node:crypto";
import { decryptSecret } from "../crypto";
import { env } from "~/lib/env";
import { db } from "../db";
import { ApiError } from "../http/errors";
import { metrics, recordPush, recordTargetState } from "../metrics";
import { outboundRefusal, receiverUrlRefusals } from "../outbound";
import { alertmanagerSecretsDir, desiredArtifacts, hashFiles, materializeAlertmanager, type DesiredArtifacts, type SloFailure } from "./artifacts";

/**
 * Pushing generated artifacts to targets, recording a Revision per attempt. The Targets (in
 * @burnrate/integrations) validate, write atomically, reload, verify and roll back, so a failed
 * push leaves the previous working configuration live. The failure domain is one SLO: an SLO that
 * fails generation or that the target refuses is quarantined (its last good rules stay live) and
 * every other SLO deploys. Here we keep revisions, audit, quarantine bookkeeping and scheduling.
 */

export type TargetSettings = {
  rulesDir?: string;
  configPath?: string;
  tenant?: string;
  prefix?: string;
  maxRulesPerGroup?: number;
  maxGroupsPerTenant?: number;
  /** Test/demo knobs for Alertmanager grouping. */
  groupWait?: string;
  groupInterval?: string;
};

/** One item not deployed to a target, as stored on the target and its revisions. */
export type QuarantineEntry = { slo: string; path: string; stage: string; reason: string; since: string; hash: string };
type DeployState = Record<string, { hash: string; liveSince: string }>;

/**
 * Pushes read back the full rules list to verify (17 MB at 1000 SLOs, and a reload of 1000 files
 * takes ~20 s on Prometheus 2.42), so they get a far longer timeout than the live views.
 */
const PUSH_TIMEOUT_MS = 120_000;

const targets = ((globalThis as unknown as { burnrateTargets?: Map<string, { key: string; target: Target }> }).burnrateTargets ??= new Map());

function token(t: PushTarget): string | undefined {
  return t.tokenCiphertext ? decryptSecret(t.tokenCiphertext) : undefined;
}

function settingsOf(t: PushTarget): TargetSettings {
  return (t.settings ?? {}) as TargetSettings;
}

const isRules = (t: PushTarget) => t.kind === "prometheus" || t.kind === "mimir";

/** One Target per push target and configuration (Targets serialise their own pushes). */
function targetFor(t: PushTarget): Target {
  const key = `${t.kind}|${t.url}|${t.mode}|${JSON.stringify(t.settings)}|${t.tokenCiphertext ?? ""}`;
  const cached = targets.get(t.id);
  if (cached && cached.key === key) return cached.target;
  const s = settingsOf(t);
  let target: Target;
  if (t.kind === "prometheus" && t.mode === "file") {
    if (!s.rulesDir) throw new Error("settings.rulesDir is required for Prometheus file mode");
    target = new PrometheusFileTarget({ url: t.url, token: token(t), rulesDir: s.rulesDir, timeoutMs: PUSH_TIMEOUT_MS });
  } else if (t.kind === "alertmanager") {
    if (!s.configPath) throw new Error("settings.configPath is required for Alertmanager file mode");
    // Receiver secrets reach Alertmanager only here: secret files beside its config and the
    // webhook URLs inside the file it reads. What Burnrate stores and shows carries references.
    const secretsDir = alertmanagerSecretsDir(s.configPath);
    target = new AlertmanagerFileTarget({ url: t.url, token: token(t), configPath: s.configPath, timeoutMs: PUSH_TIMEOUT_MS, secretsDir, materialize: (content) => materializeAlertmanager(content, secretsDir) });
  } else if (t.kind === "mimir" || (t.kind === "prometheus" && t.mode === "mimir")) {
    target = new MimirTarget({ url: t.url, tenant: s.tenant ?? "anonymous", prefix: s.prefix, token: token(t), maxRulesPerGroup: s.maxRulesPerGroup, maxGroupsPerTenant: s.maxGroupsPerTenant });
  } else if (t.kind === "grafana") {
    const tk = token(t);
    if (!tk) throw new Error("a Grafana service-account token is required");
    // Burnrate's folders: `burnrate` (default) and `burnrate-<team>`. Pruning only ever deletes
    // dashboards tagged "burnrate" inside those folders (see GrafanaClient.managedDashboards).
    const folders = async () => {
      const teams = await db().team.findMany();
      return Object.fromEntries(teams.map((tm) => [tm.slug, { uid: `burnrate-${tm.slug}`, title: `Burnrate · ${tm.name}` }]));
    };
    target = new GrafanaTarget({ url: t.url, token: tk, ownerTag: `burnrate-target:${t.id}`, folders });
  } else {
    throw new Error(`unsupported target kind/mode ${t.kind}/${t.mode}`);
  }
  targets.set(t.id, { key, target });
  return target;
}

/** Files as stored in a revision (JSON without undefined owners). */
const plain = (files: DesiredArtifact[]) => files.map((f) => ({ path: f.path, content: f.content }));
const sha = (s: string) => createHash("sha256").update(s).digest("hex").slice(0, 16);

function quarantineOf(t: PushTarget): QuarantineEntry[] {
  return Array.isArray(t.quarantine) ? (t.quarantine as QuarantineEntry[]) : [];
}

/** What one target should hold now, from the artifacts of this pass. */
export type TargetDesired = {
  files: DesiredArtifact[];
  failures: SloFailure[];
  keep: KeptItem[];
  allowEmpty: boolean;
  hash: string;
  /** Single-file targets: the items that can be left out one by one (Alertmanager receivers). */
  isolate?: TargetRequest["isolate"];
  /** Hash of an item's definition by owner (items without a file of their own). */
  itemHash?: Map<string, string>;
};

export async function desiredFor(t: PushTarget, d: DesiredArtifacts): Promise<TargetDesired> {
  let files: DesiredArtifact[];
  let failures: SloFailure[] = [];
  if (t.kind === "alertmanager") {
    // One receiver Alertmanager refuses is left out; the rest of the config deploys. A receiver
    // refused earlier stays out until its definition changes.
    const s = settingsOf(t);
    const items = await d.receivers();
    const itemHash = new Map(items.map((i) => [i.name, i.hash]));
    const out = new Set(quarantineOf(t).filter((q) => q.stage !== "generate" && itemHash.get(q.slo) === q.hash).map((q) => q.slo));
    const opts = { groupWait: s.groupWait, groupInterval: s.groupInterval, ...(s.configPath ? { secretsDir: alertmanagerSecretsDir(s.configPath) } : {}) };
    files = [{ path: "alertmanager.yml", content: await d.alertmanager({ ...opts, exclude: out }) }];
    const keep = [...out].map((owner) => ({ owner, path: "alertmanager.yml" }));
    const isolate = { items: items.map((i) => i.name).filter((n) => !out.has(n)), build: (without: ReadonlySet<string>) => d.alertmanager({ ...opts, exclude: new Set([...out, ...without]) }) };
    return { files, failures: [], keep, allowEmpty: true, hash: hashFiles([...files, ...keep.map((k) => ({ path: k.owner, content: "\u0000kept" }))]), isolate, itemHash };
  } else if (t.kind === "grafana") {
    files = d.dashboards();
  } else if (t.kind === "mimir" || t.mode === "mimir") {
    ({ files, failures } = d.mimir());
  } else {
    ({ files, failures } = d.rules);
  }
  // Kept as they are: SLOs that failed generation, and items the target refused earlier whose
  // desired content has not changed since (they would only be refused again).
  const keep: KeptItem[] = failures.map((f) => ({ owner: f.slo, path: f.path }));
  const byPath = new Map(files.map((f) => [f.path, f]));
  for (const q of quarantineOf(t)) {
    const f = byPath.get(q.path);
    if (q.stage !== "generate" && f && sha(f.content) === q.hash) keep.push({ owner: q.slo, path: q.path });
  }
  const kept = new Set(keep.map((k) => k.path));
  files = files.filter((f) => !kept.has(f.path));
  const hash = hashFiles([...files, ...keep.map((k) => ({ path: k.path, content: "\u0000kept" }))]);
  return { files, failures, keep, allowEmpty: t.kind === "grafana" ? d.sloCount === 0 : true, hash };
}

/** Exponential backoff with full jitter: 2s, 4s, 8s … capped at 5 minutes. */
export function backoffMs(failures: number, random = Math.random): number {
  const cap = Math.min(300_000, 2_000 * 2 ** Math.max(0, failures - 1));
  return Math.round(cap / 2 + random() * (cap / 2));
}

/** Readable status line of a quarantine list. */
function quarantineMessage(q: QuarantineEntry[]): string {
  if (!q.length) return "";
  const shown = q.slice(0, 5).map((x) => `${x.slo} (${x.stage === "generate" ? "refused by validation" : `refused at ${x.stage}`}: ${x.reason.split("\n")[0]?.slice(0, 160)})`);
  // Alertmanager items are receivers (`team/slug`), left out of the config; SLOs keep their last good rules.
  const what = q.every((x) => x.slo.includes("/")) ? "receiver(s) left out of the configuration" : "SLO(s) not deployed, their last good rules stay live";
  return `${q.length} ${what}: ${shown.join("; ")}${q.length > 5 ? "; …" : ""}`;
}

/**
 * The mass-deletion guard: a push that would remove more than BURNRATE_MASS_DELETE_SHARE of the
 * SLOs live on the target, or all of them (an empty or wrong database, an old backup), is held.
 */
async function massDeletion(target: Target, desired: TargetDesired): Promise<{ removed: string[]; live: number } | null> {
  const live = await target.liveOwners();
  if (!live) return null;
  const wanted = [...desired.files.map((f) => f.owner ?? ""), ...desired.keep.map((k) => k.owner)];
  return massDeletionOf(live, wanted, env().BURNRATE_MASS_DELETE_SHARE);
}

type PushOpts = { triggeredBy: string; reason: string; files?: { path: string; content: string }[]; keep?: KeptItem[]; rollbackOf?: string; desired?: DesiredArtifacts; confirmDeletion?: boolean };

/**
 * Pushes the desired (or given, for rollbacks) artifacts to one target and records a Revision.
 * Never throws for upstream or generation failures: the result and the error are in the revision.
 */
export async function pushTarget(targetId: string, opts: PushOpts) {
  assertPushingReplica();
  const t = await db().pushTarget.findUniqueOrThrow({ where: { id: targetId } });
  const now = new Date();
  let want: TargetDesired;
  let outcome: TargetOutcome | undefined;
  try {
    if (opts.files) {
      const files = opts.files.map((f) => ({ ...f, owner: /^slo-(.+)\.yml$/.exec(f.path)?.[1] }));
      // A rollback re-applies a revision's files and keeps what that revision kept (quarantined SLOs).
      const keep = opts.keep ?? [];
      want = { files, failures: [], keep, allowEmpty: true, hash: hashFiles([...files, ...keep.map((k) => ({ path: k.path, content: "\u0000kept" }))]) };
    } else {
      want = await desiredFor(t, opts.desired ?? (await desiredArtifacts()));
    }
  } catch (err) {
    want = { files: [], failures: [], keep: [], allowEmpty: false, hash: hashFiles([]) };
    outcome = { ok: false, stage: "generate", error: `generating the desired artifacts failed: ${(err as Error).message}`, quarantined: [] };
  }

  // Mass-deletion guard (rule targets; rollbacks are an administrator's explicit choice).
  if (!outcome && isRules(t) && !opts.files && !opts.confirmDeletion) {
    // An unreachable target cannot be counted: the push below reports it.
    const held = await massDeletion(targetFor(t), want).catch(() => null);
    if (held) return holdPush(t, want, held, opts);
  }

  const rev = await db().revision.create({
    data: { targetId: t.id, hash: want.hash, artifacts: { files: plain(want.files), keep: want.keep, secretsRedacted: true }, status: "pending", triggeredBy: opts.triggeredBy, reason: opts.reason, rollbackOf: opts.rollbackOf ?? null },
  });
  outcome ??= await (async (): Promise<TargetOutcome> => {
    try {
      // Checked again at send time: the name may resolve somewhere else than when it was saved.
      const refused = await outboundRefusal(t.url);
      if (refused) return { ok: false, stage: "connect", error: refused, quarantined: [] };
      if (t.kind === "alertmanager") {
        // Alertmanager posts to the receiver URLs itself, so they are checked again now (fresh DNS),
        // from the file about to be written (a rollback carries older URLs). Refusing fails the
        // push before anything is written: the previous configuration stays live.
        const m = await materializeAlertmanager(want.files[0]?.content ?? "", alertmanagerSecretsDir(settingsOf(t).configPath ?? "."));
        const receivers = await receiverUrlRefusals(m.text, m.urls);
        if (receivers.length) return { ok: false, stage: "validate", error: `alert receiver URL refused, the previous Alertmanager configuration stays live: ${receivers.join("; ")}`, quarantined: [] };
      }
      return await targetFor(t).push({ files: want.files, keep: want.keep, allowEmpty: want.allowEmpty, isolate: want.isolate });
    } catch (err) {
      return { ok: false, stage: "configure", error: (err as Error).message, quarantined: [] };
    }
  })();

  const quarantine = nextQuarantine(t, want, outcome.quarantined, now);
  const sinceIso = now.toISOString();
  const audit = (after: Record<string, unknown>) =>
    db().auditEvent.create({ data: { actor: opts.triggeredBy, action: "target.push", entityType: "push_target", entityId: t.id, entitySlug: t.name, after: { revision: rev.id, hash: rev.hash, reason: opts.reason, ...after } } });
  if (outcome.ok) {
    const deployState = nextDeployState(t, want, quarantine, sinceIso);
    const status = quarantine.length ? "degraded" : "in_sync";
    const message = [quarantineMessage(quarantine), outcome.message].filter(Boolean).join(" · ");
    await db().$transaction([
      db().revision.updateMany({ where: { targetId: t.id, status: { in: ["applied", "held"] }, id: { not: rev.id } }, data: { status: "superseded" } }),
      db().revision.update({ where: { id: rev.id }, data: { status: "applied", finishedAt: now, error: outcome.changed ? "" : "no changes", quarantined: quarantine } }),
      db().pushTarget.update({ where: { id: t.id }, data: { status, statusMessage: message.slice(0, 2000), lastSyncAt: now, lastAttemptAt: now, lastSuccessAt: now, failureCount: 0, nextAttemptAt: null, quarantine, deployState } }),
      audit({ result: "applied", quarantined: quarantine.map((q) => q.slo) }),
    ]);
  } else {
    const failures = t.failureCount + 1;
    const stage = outcome.stage;
    await db().$transaction([
      db().revision.update({ where: { id: rev.id }, data: { status: "failed", finishedAt: now, error: outcome.error.slice(0, 8000), failedStage: stage, quarantined: quarantine } }),
      db().pushTarget.update({
        where: { id: t.id },
        data: { status: "failing", statusMessage: `push failed at ${stage}: ${outcome.error}`.slice(0, 2000), lastSyncAt: now, lastAttemptAt: now, failureCount: failures, nextAttemptAt: new Date(now.getTime() + backoffMs(failures)), quarantine },
      }),
      audit({ result: "failed", stage, error: outcome.error.slice(0, 500) }),
    ]);
  }
  recordPush(t, { ok: outcome.ok, stage: outcome.ok ? undefined : outcome.stage, quarantined: quarantine.length }, now);
  return db().revision.findUniqueOrThrow({ where: { id: rev.id } });
}

/** Quarantine after a push: generation failures, items refused now, items still kept from before; `since` survives. */
function nextQuarantine(t: PushTarget, want: TargetDesired, refused: QuarantinedItem[], now: Date): QuarantineEntry[] {
  const prev = new Map(quarantineOf(t).map((q) => [q.slo, q]));
  const out = new Map<string, QuarantineEntry>();
  const since = (slo: string) => prev.get(slo)?.since ?? now.toISOString();
  for (const f of want.failures) out.set(f.slo, { slo: f.slo, path: f.path, stage: "generate", reason: `${f.field}: ${f.reason}`, since: since(f.slo), hash: "" });
  const byPath = new Map(want.files.map((f) => [f.path, f]));
  for (const r of refused) out.set(r.owner, { slo: r.owner, path: r.path, stage: r.stage, reason: r.reason, since: since(r.owner), hash: want.itemHash?.get(r.owner) ?? sha(byPath.get(r.path)?.content ?? "") });
  for (const k of want.keep) {
    const p = prev.get(k.owner);
    if (!out.has(k.owner) && p && p.stage !== "generate") out.set(k.owner, p);
  }
  return [...out.values()].sort((a, b) => (a.slo < b.slo ? -1 : a.slo > b.slo ? 1 : 0));
}

/** Which rules of each SLO are live and since when (only moves when an SLO's file changed). */
function nextDeployState(t: PushTarget, want: TargetDesired, quarantine: QuarantineEntry[], nowIso: string): DeployState {
  const prev = (t.deployState ?? {}) as DeployState;
  const out: DeployState = {};
  const q = new Set(quarantine.map((x) => x.slo));
  for (const f of want.files) {
    if (!f.owner || q.has(f.owner)) continue;
    const h = sha(f.content);
    out[f.owner] = prev[f.owner]?.hash === h ? (prev[f.owner] as { hash: string; liveSince: string }) : { hash: h, liveSince: nowIso };
  }
  for (const k of want.keep) if (prev[k.owner]) out[k.owner] = prev[k.owner] as { hash: string; liveSince: string };
  return out;
}

async function holdPush(t: PushTarget, want: TargetDesired, held: { removed: string[]; live: number }, opts: PushOpts) {
  const now = new Date();
  const message = `push held: it would remove the rules of ${held.removed.length} of ${held.live} live SLO(s) (${held.removed.slice(0, 5).join(", ")}${held.removed.length > 5 ? ", …" : ""}); an administrator must confirm it on the targets page`;
  const existing = await db().revision.findFirst({ where: { targetId: t.id, status: "held", hash: want.hash }, orderBy: { createdAt: "desc" } });
  const rev =
    existing ??
    (await db().$transaction(async (tx) => {
      await tx.revision.updateMany({ where: { targetId: t.id, status: "held" }, data: { status: "superseded" } });
      const r = await tx.revision.create({
        data: { targetId: t.id, hash: want.hash, artifacts: { files: plain(want.files), keep: want.keep, removed: held.removed }, status: "held", error: message, triggeredBy: opts.triggeredBy, reason: opts.reason },
      });
      await tx.auditEvent.create({ data: { actor: opts.triggeredBy, action: "target.push.held", entityType: "push_target", entityId: t.id, entitySlug: t.name, after: { revision: r.id, removed: held.removed, live: held.live } } });
      return r;
    }));
  await db().pushTarget.update({ where: { id: t.id }, data: { status: "held", statusMessage: message.slice(0, 2000), lastSyncAt: now } });
  recordTargetState(t, { failing: false, quarantined: quarantineOf(t).length, held: true });
  return rev;
}

/**
 * An administrator confirms a held push: it is applied if the desired state is still the one that
 * was held (otherwise 409: review the new plan). Audited.
 */
export async function confirmHeldPush(targetId: string, revisionId: string, actor: string) {
  const t = await db().pushTarget.findUniqueOrThrow({ where: { id: targetId } });
  const held = await db().revision.findFirst({ where: { id: revisionId, targetId, status: "held" } });
  if (!held) throw new ApiError("conflict", "this push is no longer held (it was confirmed or replaced); reload the targets page");
  const d = await desiredArtifacts();
  const want = await desiredFor(t, d);
  if (want.hash !== held.hash) throw new ApiError("conflict", "the catalogue changed since this push was held; the reconciler holds the new plan for review");
  await db().auditEvent.create({ data: { actor, action: "target.push.confirm", entityType: "push_target", entityId: t.id, entitySlug: t.name, after: { revision: held.id, removed: (held.artifacts as { removed?: string[] }).removed ?? [] } } });
  return pushTarget(targetId, { triggeredBy: actor, reason: `mass deletion confirmed by ${actor}`, desired: d, confirmDeletion: true });
}

/**
 * Compares what a target reports with the desired state. Drift (or an earlier failure whose
 * backoff has elapsed) triggers a push; the target's status is updated either way. Desired
 * artifacts are computed inside the error handling: a generation failure is a failed revision.
 */
export async function reconcileTarget(targetId: string, triggeredBy = "reconciler", desired?: DesiredArtifacts): Promise<void> {
  const t = await db().pushTarget.findUniqueOrThrow({ where: { id: targetId } });
  if (!t.enabled) return;
  if (t.nextAttemptAt && t.nextAttemptAt > new Date() && triggeredBy === "reconciler") return;
  const t0 = performance.now();
  let want: TargetDesired;
  let d: DesiredArtifacts;
  try {
    d = desired ?? (await desiredArtifacts());
    want = await desiredFor(t, d);
  } catch {
    // pushTarget records the generation failure as a failed revision.
    await pushTarget(t.id, { triggeredBy, reason: "generation failed" });
    return;
  }
  const t1 = performance.now();
  const lastApplied = await db().revision.findFirst({ where: { targetId: t.id, status: "applied" }, orderBy: { createdAt: "desc" } });
  if (t.status === "held") {
    const held = await db().revision.findFirst({ where: { targetId: t.id, status: "held" }, orderBy: { createdAt: "desc" } });
    if (held?.hash === want.hash) {
      recordTargetState(t, { failing: false, quarantined: quarantineOf(t).length, held: true });
      return;
    }
  }
  let st: { state: string; message: string };
  try {
    const refused = await outboundRefusal(t.url);
    st = refused ? { state: "refused", message: refused } : await targetFor(t).status({ files: want.files, keep: want.keep, allowEmpty: want.allowEmpty });
  } catch (err) {
    st = { state: "unreachable", message: (err as Error).message };
  }
  const t2 = performance.now();
  // Large installations: say where a slow drift check spends its time (bench:reconcile reads this).
  if (t2 - t0 > 2000) console.log(`[reconciler] ${t.name}: drift check took ${((t2 - t0) / 1000).toFixed(1)} s (desired state ${((t1 - t0) / 1000).toFixed(1)} s, target status ${((t2 - t1) / 1000).toFixed(1)} s, ${want.files.length} files, ${st.state})`);
  if (st.state === "in_sync" && lastApplied?.hash === want.hash && t.status !== "failing" && t.status !== "held") {
    const q = quarantineOf(t);
    await db().pushTarget.update({ where: { id: t.id }, data: { status: q.length ? "degraded" : "in_sync", statusMessage: quarantineMessage(q), lastSyncAt: new Date() } });
    recordTargetState(t, { failing: false, quarantined: q.length, held: false });
    return;
  }
  if (st.state === "unreachable" || st.state === "refused") {
    const failures = t.failureCount + 1;
    const now = new Date();
    await db().pushTarget.update({ where: { id: t.id }, data: { status: "failing", statusMessage: `${st.state}: ${st.message}`.slice(0, 2000), lastSyncAt: now, lastAttemptAt: now, failureCount: failures, nextAttemptAt: new Date(now.getTime() + backoffMs(failures)) } });
    recordPush(t, { ok: false, stage: st.state, quarantined: quarantineOf(t).length }, now);
    return;
  }
  if (st.state === "drifted") await db().pushTarget.update({ where: { id: t.id }, data: { status: "drifted", statusMessage: st.message.slice(0, 2000) } });
  await pushTarget(t.id, { triggeredBy, reason: st.state === "drifted" ? `drift: ${st.message}`.slice(0, 500) : lastApplied?.hash !== want.hash ? "desired state changed" : "retry after failure", desired: d });
}

/** Only replicas with BURNRATE_RECONCILER=on write to targets, so two replicas never race on a rules dir. */
export function assertPushingReplica(): void {
  if (env().BURNRATE_RECONCILER === "off") throw new ApiError("conflict", "this Burnrate replica does not push (BURNRATE_RECONCILER=off); the pushing replica applies changes within seconds");
}

/** One reconcile pass: the desired artifacts are computed once, then each target is compared and pushed. */
export async function reconcileAll(triggeredBy = "reconciler"): Promise<void> {
  assertPushingReplica();
  const end = metrics().reconcileDuration.startTimer();
  try {
    const list = await db().pushTarget.findMany({ where: { enabled: true }, orderBy: { name: "asc" } });
    let desired: DesiredArtifacts | undefined;
    try {
      desired = await desiredArtifacts();
    } catch (err) {
      console.error("[reconciler] computing the desired artifacts failed", err);
    }
    for (const t of list) {
      try {
        await reconcileTarget(t.id, triggeredBy, desired);
      } catch (err) {
        console.error(`[reconciler] target ${t.name} failed`, err);
      }
    }
  } finally {
    end();
    metrics().reconcileLastRun.set(Date.now() / 1000);
  }
}
