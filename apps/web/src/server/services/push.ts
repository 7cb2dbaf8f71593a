import "server-only";
import { groupToObject, type RuleFile } from "@burnrate/domain";
import {
  AlertmanagerClient,
  AlertmanagerFilePusher,
  GrafanaClient,
  MimirRulerClient,
  PrometheusClient,
  PrometheusFilePusher,
  type MimirRuleGroup,
} from "@burnrate/integrations";
import type { PushTarget } from "@burnrate/db";
import { decryptSecret } from "../crypto";
import { env } from "~/lib/env";
import { db } from "../db";
import { ApiError } from "../http/errors";
import { outboundRefusal, receiverUrlRefusals } from "../outbound";
import { alertmanagerSecretsDir, alertmanagerYaml, dashboards, hashFiles, materializeAlertmanager, mimirNamespaces, ruleFiles } from "./artifacts";

/**
 * Pushing generated artifacts to targets, recording a Revision per attempt. The pushers validate
 * with promtool/amtool, write atomically, reload, verify and roll back, so a failed push leaves
 * the previous working configuration live; here we record what happened and schedule retries.
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

type Pusher = { kind: string; push: (files: RuleFile[]) => Promise<PushOutcome>; status: (files: RuleFile[]) => Promise<{ state: "in_sync" | "drifted" | "unreachable"; message: string }> };
export type PushOutcome = { ok: true; changed: boolean; message: string } | { ok: false; stage: string; error: string };

/**
 * Pushes read back the full rules list to verify (17 MB at 1000 SLOs, and a reload of 1000 files
 * takes ~20 s on Prometheus 2.42), so they get a far longer timeout than the live views.
 */
const PUSH_TIMEOUT_MS = 120_000;

const pushers = ((globalThis as unknown as { burnratePushers?: Map<string, { key: string; pusher: Pusher }> }).burnratePushers ??= new Map());

function token(t: PushTarget): string | undefined {
  return t.tokenCiphertext ? decryptSecret(t.tokenCiphertext) : undefined;
}

function settingsOf(t: PushTarget): TargetSettings {
  return (t.settings ?? {}) as TargetSettings;
}

/** One pusher per target and configuration (pushers serialise their own pushes). */
function pusherFor(t: PushTarget): Pusher {
  const key = `${t.kind}|${t.url}|${t.mode}|${JSON.stringify(t.settings)}|${t.tokenCiphertext ?? ""}`;
  const cached = pushers.get(t.id);
  if (cached && cached.key === key) return cached.pusher;
  const s = settingsOf(t);
  let pusher: Pusher;
  if (t.kind === "prometheus" && t.mode === "file") {
    if (!s.rulesDir) throw new Error("settings.rulesDir is required for Prometheus file mode");
    const p = new PrometheusFilePusher({ rulesDir: s.rulesDir, prometheus: new PrometheusClient({ baseUrl: t.url, token: token(t), timeoutMs: PUSH_TIMEOUT_MS }) });
    pusher = {
      kind: "prometheus",
      push: async (files) => {
        const r = await p.push(files, { prune: true, allowEmpty: true });
        return r.ok ? { ok: true, changed: r.changed, message: r.changed ? `wrote ${r.written.length}, deleted ${r.deleted.length} file(s)` : "unchanged" } : { ok: false, stage: r.stage, error: r.details ? `${r.error}\n${r.details}` : r.error };
      },
      status: async (files) => {
        const st = await p.status(files);
        const d = st.details;
        const parts = [
          d.missingFiles.length ? `missing files: ${d.missingFiles.join(", ")}` : "",
          d.modifiedFiles.length ? `modified files: ${d.modifiedFiles.join(", ")}` : "",
          d.extraFiles.length ? `extra files: ${d.extraFiles.join(", ")}` : "",
          d.missingGroups.length ? `${d.missingGroups.length} group(s) not loaded` : "",
          d.unexpectedGroups.length ? `${d.unexpectedGroups.length} unexpected group(s)` : "",
          d.error ?? "",
        ].filter(Boolean);
        return { state: st.state, message: parts.join("; ") };
      },
    };
  } else if (t.kind === "alertmanager") {
    if (!s.configPath) throw new Error("settings.configPath is required for Alertmanager file mode");
    // Receiver secrets reach Alertmanager only here: secret files beside its config and the
    // webhook URLs inside the file it reads. What Burnrate stores and shows carries references.
    const secretsDir = alertmanagerSecretsDir(s.configPath);
    const p = new AlertmanagerFilePusher({ configPath: s.configPath, secretsDir, alertmanager: new AlertmanagerClient({ baseUrl: t.url, token: token(t), timeoutMs: PUSH_TIMEOUT_MS }) });
    pusher = {
      kind: "alertmanager",
      push: async (files) => {
        const m = await materializeAlertmanager(files[0]?.content ?? "", secretsDir);
        if (m.missing.length) return { ok: false, stage: "validate", error: `the configuration refers to secrets that no longer exist (${m.missing.join(", ")}); the previous Alertmanager configuration stays live` };
        const r = await p.push(m.text, { secrets: m.files });
        return r.ok ? { ok: true, changed: r.changed, message: r.changed ? "configuration reloaded" : "unchanged" } : { ok: false, stage: r.stage, error: m.scrub(r.details ? `${r.error}\n${r.details}` : r.error) };
      },
      status: async (files) => {
        const m = await materializeAlertmanager(files[0]?.content ?? "", secretsDir);
        const st = await p.status(m.text, m.files);
        const d = st.details;
        return { state: st.state, message: m.scrub([d.fileMissing ? "config file missing" : "", d.fileDiffers ? "config file differs" : "", d.secretsDiffer ? "secret files differ" : "", d.loadedDifferences.length ? `loaded config differs (${d.loadedDifferences.slice(0, 3).map((x) => x.path).join("; ")})` : "", d.error ?? ""].filter(Boolean).join("; ")) };
      },
    };
  } else if (t.kind === "mimir" || (t.kind === "prometheus" && t.mode === "mimir")) {
    const c = new MimirRulerClient({ baseUrl: t.url, tenant: s.tenant ?? "anonymous", prefix: s.prefix, token: token(t), limits: { maxRulesPerGroup: s.maxRulesPerGroup, maxGroupsPerTenant: s.maxGroupsPerTenant } });
    const toNs = (files: RuleFile[]) => Object.fromEntries(files.map((f) => [f.path, JSON.parse(f.content) as MimirRuleGroup[]]));
    pusher = {
      kind: "mimir",
      push: async (files) => {
        try {
          const r = await c.sync(toNs(files));
          return { ok: true, changed: r.created + r.updated + r.deleted > 0, message: `created ${r.created}, updated ${r.updated}, deleted ${r.deleted}, unchanged ${r.unchanged}${r.warnings.length ? `; ${r.warnings.join("; ")}` : ""}` };
        } catch (err) {
          return { ok: false, stage: "write", error: (err as Error).message };
        }
      },
      status: async (files) => {
        try {
          const r = await c.sync(toNs(files), { dryRun: true });
          const drift = r.created + r.updated + r.deleted;
          return { state: drift ? "drifted" : "in_sync", message: drift ? `${drift} group(s) differ` : "" };
        } catch (err) {
          return { state: "unreachable", message: (err as Error).message };
        }
      },
    };
  } else if (t.kind === "grafana") {
    const tk = token(t);
    if (!tk) throw new Error("a Grafana service-account token is required");
    const c = new GrafanaClient({ baseUrl: t.url, token: tk });
    // Dashboards pushed by this target carry its tag; pruning only considers those.
    const ownerTag = `burnrate-target:${t.id}`;
    // Burnrate's folders: `burnrate` (default) and `burnrate-<team>`. Pruning only ever deletes
    // dashboards tagged "burnrate" inside those folders (see GrafanaClient.managedDashboards).
    const folders = async () => {
      const teams = await db().team.findMany();
      return Object.fromEntries(teams.map((tm) => [tm.slug, { uid: `burnrate-${tm.slug}`, title: `Burnrate · ${tm.name}` }]));
    };
    // An empty desired list only deletes every managed dashboard when there really are no SLOs.
    const allowEmpty = async (files: RuleFile[]) => files.length === 0 && (await db().slo.count()) === 0;
    pusher = {
      kind: "grafana",
      push: async (files) => {
        try {
          const r = await c.syncDashboards(files.map((f) => JSON.parse(f.content)), await folders(), { message: "Burnrate sync", prune: true, allowEmpty: await allowEmpty(files), ownerTag });
          const failures = r.results.filter((x) => x.action === "failed").map((x) => `${x.uid}: ${x.reason ?? "failed"}`);
          if (r.pruneError) failures.push(r.pruneError);
          if (failures.length) return { ok: false, stage: "write", error: failures.join("; ") };
          const message = `created ${r.created}, updated ${r.updated}, deleted ${r.deleted}, unchanged ${r.unchanged}${r.pruneSkipped ? `; ${r.pruneSkipped}` : ""}`;
          return { ok: true, changed: r.created + r.updated + r.deleted > 0, message };
        } catch (err) {
          return { ok: false, stage: "write", error: (err as Error).message };
        }
      },
      status: async (files) => {
        try {
          let drift = 0;
          const desired: Array<{ uid: string }> = [];
          for (const f of files) {
            const want = JSON.parse(f.content) as { uid: string; description?: string };
            desired.push(want);
            const have = await c.getDashboard(want.uid);
            if (!have || (have.dashboard as { description?: string }).description !== want.description) drift++;
          }
          const { stale } = await c.staleDashboards(desired, { allowEmpty: await allowEmpty(files), managedTag: ownerTag });
          const parts = [
            drift ? `${drift} dashboard(s) differ` : "",
            stale.length ? `${stale.length} stale dashboard(s) to delete: ${stale.slice(0, 5).map((h) => h.uid).join(", ")}${stale.length > 5 ? ", …" : ""}` : "",
          ].filter(Boolean);
          return { state: parts.length ? "drifted" : "in_sync", message: parts.join("; ") };
        } catch (err) {
          return { state: "unreachable", message: (err as Error).message };
        }
      },
    };
  } else {
    throw new Error(`unsupported target kind/mode ${t.kind}/${t.mode}`);
  }
  pushers.set(t.id, { key, pusher });
  return pusher;
}

/** The artifact files a target should hold now. */
export async function desiredFiles(t: PushTarget): Promise<RuleFile[]> {
  if (t.kind === "alertmanager") {
    const s = settingsOf(t);
    return [{ path: "alertmanager.yml", content: await alertmanagerYaml({ groupWait: s.groupWait, groupInterval: s.groupInterval, ...(s.configPath ? { secretsDir: alertmanagerSecretsDir(s.configPath) } : {}) }) }];
  }
  if (t.kind === "grafana") return (await dashboards()).map((d) => ({ path: `${d.uid}.json`, content: JSON.stringify(d, null, 2) }));
  if (t.kind === "mimir" || t.mode === "mimir") {
    return (await mimirNamespaces()).map((ns) => ({ path: ns.namespace.startsWith("burnrate") ? ns.namespace : `burnrate-${ns.namespace}`, content: JSON.stringify(ns.groups.map((g) => groupToObject(g)), null, 2) }));
  }
  return (await ruleFiles()).files;
}

/** Exponential backoff with full jitter: 2s, 4s, 8s … capped at 5 minutes. */
export function backoffMs(failures: number, random = Math.random): number {
  const cap = Math.min(300_000, 2_000 * 2 ** Math.max(0, failures - 1));
  return Math.round(cap / 2 + random() * (cap / 2));
}

/**
 * Pushes the desired (or given, for rollbacks) artifacts to one target and records a Revision.
 * Never throws for upstream failures: the result and the error are in the revision.
 */
export async function pushTarget(targetId: string, opts: { triggeredBy: string; reason: string; files?: RuleFile[]; rollbackOf?: string }) {
  assertPushingReplica();
  const t = await db().pushTarget.findUniqueOrThrow({ where: { id: targetId } });
  let files: RuleFile[];
  let outcome: PushOutcome;
  try {
    files = opts.files ?? (await desiredFiles(t));
  } catch (err) {
    files = [];
    outcome = { ok: false, stage: "generate", error: (err as Error).message };
  }
  const rev = await db().revision.create({
    data: { targetId: t.id, hash: hashFiles(files), artifacts: { files, secretsRedacted: true }, status: "pending", triggeredBy: opts.triggeredBy, reason: opts.reason, rollbackOf: opts.rollbackOf ?? null },
  });
  outcome ??= await (async () => {
    try {
      // Checked again at send time: the name may resolve somewhere else than when it was saved.
      const refused = await outboundRefusal(t.url);
      if (refused) return { ok: false as const, stage: "connect", error: refused };
      if (t.kind === "alertmanager") {
        // Alertmanager posts to the receiver URLs itself, so they are checked again now (fresh DNS),
        // from the file about to be written (a rollback carries older URLs). Refusing fails the
        // push before anything is written: the previous configuration stays live.
        const m = await materializeAlertmanager(files[0]?.content ?? "", alertmanagerSecretsDir(settingsOf(t).configPath ?? "."));
        const receivers = await receiverUrlRefusals(m.text, m.urls);
        if (receivers.length) return { ok: false as const, stage: "validate", error: `alert receiver URL refused, the previous Alertmanager configuration stays live: ${receivers.join("; ")}` };
      }
      return await pusherFor(t).push(files);
    } catch (err) {
      return { ok: false as const, stage: "configure", error: (err as Error).message };
    }
  })();
  const now = new Date();
  if (outcome.ok) {
    await db().$transaction([
      db().revision.updateMany({ where: { targetId: t.id, status: "applied", id: { not: rev.id } }, data: { status: "superseded" } }),
      db().revision.update({ where: { id: rev.id }, data: { status: "applied", finishedAt: now, error: outcome.changed ? "" : "no changes" } }),
      db().pushTarget.update({ where: { id: t.id }, data: { status: "in_sync", statusMessage: outcome.message, lastSyncAt: now, lastSuccessAt: now, failureCount: 0, nextAttemptAt: null } }),
      db().auditEvent.create({ data: { actor: opts.triggeredBy, action: "target.push", entityType: "push_target", entityId: t.id, entitySlug: t.name, after: { revision: rev.id, hash: rev.hash, result: "applied", reason: opts.reason } } }),
    ]);
  } else {
    const failures = t.failureCount + 1;
    await db().$transaction([
      db().revision.update({ where: { id: rev.id }, data: { status: "failed", finishedAt: now, error: outcome.error.slice(0, 8000), failedStage: outcome.stage } }),
      db().pushTarget.update({ where: { id: t.id }, data: { status: "failing", statusMessage: `${outcome.stage}: ${outcome.error}`.slice(0, 2000), lastSyncAt: now, failureCount: failures, nextAttemptAt: new Date(now.getTime() + backoffMs(failures)) } }),
      db().auditEvent.create({ data: { actor: opts.triggeredBy, action: "target.push", entityType: "push_target", entityId: t.id, entitySlug: t.name, after: { revision: rev.id, hash: rev.hash, result: "failed", stage: outcome.stage, error: outcome.error.slice(0, 500) } } }),
    ]);
  }
  return db().revision.findUniqueOrThrow({ where: { id: rev.id } });
}

/**
 * Compares what a target reports with the desired state. Drift (or an earlier failure whose
 * backoff has elapsed) triggers a push; the target's status is updated either way.
 */
export async function reconcileTarget(targetId: string, triggeredBy = "reconciler"): Promise<void> {
  const t = await db().pushTarget.findUniqueOrThrow({ where: { id: targetId } });
  if (!t.enabled) return;
  if (t.nextAttemptAt && t.nextAttemptAt > new Date() && triggeredBy === "reconciler") return;
  const t0 = performance.now();
  const files = await desiredFiles(t);
  const hash = hashFiles(files);
  const t1 = performance.now();
  const lastApplied = await db().revision.findFirst({ where: { targetId: t.id, status: "applied" }, orderBy: { createdAt: "desc" } });
  let st: { state: string; message: string };
  try {
    const refused = await outboundRefusal(t.url);
    st = refused ? { state: "refused", message: refused } : await pusherFor(t).status(files);
  } catch (err) {
    st = { state: "unreachable", message: (err as Error).message };
  }
  const t2 = performance.now();
  // Large installations: say where a slow drift check spends its time (bench:reconcile reads this).
  if (t2 - t0 > 2000) console.log(`[reconciler] ${t.name}: drift check took ${((t2 - t0) / 1000).toFixed(1)} s (desired state ${((t1 - t0) / 1000).toFixed(1)} s, target status ${((t2 - t1) / 1000).toFixed(1)} s, ${files.length} files, ${st.state})`);
  if (st.state === "in_sync" && lastApplied?.hash === hash && t.status !== "failing") {
    await db().pushTarget.update({ where: { id: t.id }, data: { status: "in_sync", statusMessage: "", lastSyncAt: new Date() } });
    return;
  }
  if (st.state === "unreachable" || st.state === "refused") {
    const failures = t.failureCount + 1;
    await db().pushTarget.update({ where: { id: t.id }, data: { status: "failing", statusMessage: `${st.state}: ${st.message}`.slice(0, 2000), lastSyncAt: new Date(), failureCount: failures, nextAttemptAt: new Date(Date.now() + backoffMs(failures)) } });
    return;
  }
  if (st.state === "drifted") await db().pushTarget.update({ where: { id: t.id }, data: { status: "drifted", statusMessage: st.message.slice(0, 2000) } });
  await pushTarget(t.id, { triggeredBy, reason: st.state === "drifted" ? `drift: ${st.message}`.slice(0, 500) : lastApplied?.hash !== hash ? "desired state changed" : "retry after failure", files });
}

/** Only replicas with BURNRATE_RECONCILER=on write to targets, so two replicas never race on a rules dir. */
export function assertPushingReplica(): void {
  if (env().BURNRATE_RECONCILER === "off") throw new ApiError("conflict", "this Burnrate replica does not push (BURNRATE_RECONCILER=off); the pushing replica applies changes within seconds");
}

export async function reconcileAll(triggeredBy = "reconciler"): Promise<void> {
  assertPushingReplica();
  const targets = await db().pushTarget.findMany({ where: { enabled: true }, orderBy: { name: "asc" } });
  for (const t of targets) {
    try {
      await reconcileTarget(t.id, triggeredBy);
    } catch (err) {
      console.error(`[reconciler] target ${t.name} failed`, err);
    }
  }
}
