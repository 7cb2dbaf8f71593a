import "server-only";
import { HttpUrlSchema, lineDiff, sloRuleFilePath } from "@burnrate/domain";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { sameRuleFile } from "@burnrate/integrations";
import { z } from "zod";
import { encryptSecret } from "../crypto";
import { requireAdmin, type Principal } from "../auth";
import { db } from "../db";
import { forgetTarget } from "../metrics";
import { ApiError, notFound, versionConflict } from "../http/errors";
import { assertOutboundAllowed } from "../outbound";
import { ANY_READER, notDeployedReason, quarantineOut, upstreamText, type Viewer } from "../http/upstream-text";
import { ruleFiles } from "./artifacts";
import { confirmHeldPush, pushTarget, reconcileTarget, type QuarantineEntry, type TargetSettings } from "./push";

const AbsPath = z.string().trim().max(1000).regex(/^\//, "must be an absolute path").refine((p) => !p.split("/").includes(".."), "must not contain ..");
const DurationLike = z.string().regex(/^\d+(ms|s|m|h)$/, "must be a duration like 30s");

export const TargetInputSchema = z
  .object({
    name: z.string().trim().min(2, "must be at least 2 characters").max(80).regex(/^[\w .-]+$/, "use letters, digits, spaces, dots and dashes"),
    kind: z.enum(["prometheus", "alertmanager", "grafana", "mimir"]),
    url: HttpUrlSchema,
    mode: z.enum(["file", "mimir", "api"]).default("file"),
    settings: z
      .object({
        rulesDir: AbsPath.optional(),
        configPath: AbsPath.optional(),
        tenant: z.string().trim().max(150).regex(/^[\w.-]+$/, "must be a valid tenant id").optional(),
        prefix: z.string().trim().max(100).regex(/^(\/[\w.-]+)*$/, "must be a path prefix like /prometheus").optional(),
        maxRulesPerGroup: z.number().int().min(1).max(10000).optional(),
        maxGroupsPerTenant: z.number().int().min(1).max(100000).optional(),
        groupWait: DurationLike.optional(),
        groupInterval: DurationLike.optional(),
      })
      .default({}),
    /** Write-only. Omit to keep the stored token, send "" to clear it. */
    token: z.string().max(4096).optional(),
    enabled: z.boolean().default(true),
  })
  .superRefine((t, ctx) => {
    if (t.kind === "prometheus" && t.mode === "file" && !t.settings.rulesDir) ctx.addIssue({ code: "custom", path: ["settings", "rulesDir"], message: "is required for Prometheus file mode" });
    if (t.kind === "alertmanager" && !t.settings.configPath) ctx.addIssue({ code: "custom", path: ["settings", "configPath"], message: "is required for Alertmanager" });
    if ((t.kind === "mimir" || t.mode === "mimir") && !t.settings.tenant) ctx.addIssue({ code: "custom", path: ["settings", "tenant"], message: "is required for the Mimir ruler" });
    if (t.kind === "grafana" && t.token === "") ctx.addIssue({ code: "custom", path: ["token"], message: "a service-account token is required for Grafana" });
  });

type TargetRow = Awaited<ReturnType<ReturnType<typeof db>["pushTarget"]["findFirstOrThrow"]>>;

/**
 * API shape of a target: the token is never returned, only whether one is set; upstream text in
 * the status and the quarantine reasons is mapped for the viewer (raw bodies for administrators).
 */
export function targetOut(t: TargetRow, viewer: Viewer = ANY_READER) {
  const { tokenCiphertext, ...rest } = t;
  return { ...rest, statusMessage: upstreamText(t.statusMessage, viewer), quarantine: quarantineOut(t.quarantine, viewer), hasToken: Boolean(tokenCiphertext) };
}

export async function listTargets(viewer: Viewer = ANY_READER) {
  const rows = await db().pushTarget.findMany({ orderBy: { name: "asc" } });
  return rows.map((t) => targetOut(t, viewer));
}

export async function getTarget(id: string, viewer: Viewer = ANY_READER) {
  const t = await db().pushTarget.findUnique({ where: { id } });
  if (!t) throw notFound(`push target "${id}"`);
  return targetOut(t, viewer);
}

export async function createTarget(input: unknown, actor: Principal) {
  requireAdmin(actor, "managing push targets");
  const spec = TargetInputSchema.parse(input);
  await assertOutboundAllowed(spec.url, "url");
  const { token, ...data } = spec;
  const row = await db().pushTarget.create({ data: { ...data, tokenCiphertext: token ? encryptSecret(token) : null } });
  await db().auditEvent.create({ data: { actor: actor.name, action: "target.create", entityType: "push_target", entityId: row.id, entitySlug: row.name, after: { ...data, token: token ? "(set)" : "(none)" } } });
  return targetOut(row, actor);
}

export async function updateTarget(id: string, input: unknown, actor: Principal) {
  requireAdmin(actor, "managing push targets");
  const { version, ...rest } = z.object({ version: z.number().int() }).passthrough().parse(input);
  const spec = TargetInputSchema.parse(rest);
  const cur = await db().pushTarget.findUnique({ where: { id } });
  if (!cur) throw notFound(`push target "${id}"`);
  if (cur.version !== version) throw versionConflict(`push target "${cur.name}"`, cur.version);
  await assertOutboundAllowed(spec.url, "url");
  const { token, ...data } = spec;
  const tokenCiphertext = token === undefined ? cur.tokenCiphertext : token === "" ? null : encryptSecret(token);
  const row = await db().pushTarget.update({ where: { id, version }, data: { ...data, tokenCiphertext, version: { increment: 1 }, nextAttemptAt: null, failureCount: 0 } });
  await db().auditEvent.create({ data: { actor: actor.name, action: "target.update", entityType: "push_target", entityId: id, entitySlug: row.name, before: targetOut(cur), after: { ...data, token: token === undefined ? "(unchanged)" : token ? "(changed)" : "(cleared)" } } });
  return targetOut(row, actor);
}

export async function deleteTarget(id: string, actor: Principal) {
  requireAdmin(actor, "managing push targets");
  const cur = await db().pushTarget.findUnique({ where: { id } });
  if (!cur) throw notFound(`push target "${id}"`);
  await db().pushTarget.delete({ where: { id } });
  forgetTarget(cur);
  await db().auditEvent.create({ data: { actor: actor.name, action: "target.delete", entityType: "push_target", entityId: id, entitySlug: cur.name, before: targetOut(cur) } });
}

/** "Sync now": compare with the target and push (always pushes when forced). */
export async function syncTarget(id: string, actor: Principal, force: boolean) {
  requireEditorSomewhere(actor, "pushing to a target");
  const t = await db().pushTarget.findUnique({ where: { id } });
  if (!t) throw notFound(`push target "${id}"`);
  // An administrator disabled it (maintenance, a broken upstream): only an administrator overrides that.
  if (!t.enabled && !actor.isAdmin) throw new ApiError("forbidden", `push target "${t.name}" is disabled by an administrator; only an administrator can push to it`);
  if (force) return revisionOut(await pushTarget(id, { triggeredBy: actor.name, reason: "manual push" }), actor);
  await reconcileTarget(id, actor.name);
  return getTarget(id, actor);
}

/** Sync/push is allowed to editors of any team (it only applies what is already saved). */
export function requireEditorSomewhere(actor: Principal, what: string): void {
  if (actor.isAdmin || Object.values(actor.roles).some((r) => r === "editor" || r === "admin")) return;
  throw new ApiError("forbidden", `${what} needs the editor role on at least one team`);
}

// ---------- revisions ----------
/** API shape of a revision: its error and quarantine reasons are upstream text, mapped for the viewer. */
export function revisionOut<R extends { error: string; quarantined: unknown }>(r: R, viewer: Viewer): R {
  return { ...r, error: upstreamText(r.error, viewer), quarantined: quarantineOut(r.quarantined, viewer) };
}

export async function listRevisions(filter: { target?: string; status?: string; take?: number }, viewer: Viewer = ANY_READER) {
  const rows = await db().revision.findMany({
    where: { ...(filter.target ? { targetId: filter.target } : {}), ...(filter.status ? { status: filter.status } : {}) },
    orderBy: { createdAt: "desc" },
    take: Math.min(filter.take ?? 50, 200),
    select: { id: true, targetId: true, hash: true, status: true, error: true, quarantined: true, failedStage: true, triggeredBy: true, reason: true, rollbackOf: true, createdAt: true, finishedAt: true, target: { select: { name: true, kind: true } } },
  });
  return rows.map((r) => revisionOut(r, viewer));
}

type Files = { files: { path: string; content: string }[] };

/** A revision with its files and a per-file diff against the previous revision of the same target. */
export async function getRevision(id: string, viewer: Viewer = ANY_READER) {
  const r = await db().revision.findUnique({ where: { id }, include: { target: { select: { name: true, kind: true } } } });
  if (!r) throw notFound(`revision "${id}"`);
  const prev = await db().revision.findFirst({ where: { targetId: r.targetId, createdAt: { lt: r.createdAt } }, orderBy: { createdAt: "desc" } });
  const cur = (r.artifacts as Files).files;
  const before = new Map(((prev?.artifacts as Files | undefined)?.files ?? []).map((f) => [f.path, f.content]));
  const paths = [...new Set([...cur.map((f) => f.path), ...before.keys()])].sort();
  const diffs = paths
    .map((p) => ({ path: p, diff: lineDiff(before.get(p) ?? "", cur.find((f) => f.path === p)?.content ?? "") }))
    .filter((d) => d.diff.some((l) => l.op !== " "));
  return { ...revisionOut(r, viewer), previousId: prev?.id ?? null, diffs };
}

export async function rollbackRevision(id: string, actor: Principal) {
  requireAdmin(actor, "rolling back a revision");
  const r = await db().revision.findUnique({ where: { id } });
  if (!r) throw notFound(`revision "${id}"`);
  if (r.status !== "applied" && r.status !== "superseded") throw new ApiError("conflict", `revision ${id.slice(0, 8)} was never applied (${r.status}); roll back to a revision that was live`);
  const artifacts = r.artifacts as Files & { keep?: { owner: string; path: string }[] };
  return revisionOut(await pushTarget(r.targetId, { triggeredBy: actor.name, reason: `rollback to ${id.slice(0, 8)}`, files: artifacts.files, keep: artifacts.keep ?? [], rollbackOf: id }), actor);
}

/** Text of a rule file without its leading comment lines (the generated and the managed headers). */
function body(text: string): string {
  return text.replace(/^(?:#[^\n]*\n)+/, "");
}

/**
 * Rule-file preview for one SLO with a diff against the live file of the first Prometheus target.
 * Formatting-only differences (header comments, key order, quoting) are not a difference: the
 * diff is over the bodies, and `differs` compares the parsed YAML. An SLO that does not generate
 * answers 422 with the field and the reason.
 */
export async function sloRulesPreview(slug: string, viewer: Viewer = ANY_READER) {
  const { files, failures } = await ruleFiles();
  const path = sloRuleFilePath(slug);
  const desired = files.find((f) => f.path === path);
  if (!desired) {
    const failure = failures.find((f) => f.slo === slug);
    if (failure) throw new ApiError("validation_failed", `the rules of SLO "${slug}" cannot be generated: ${failure.field}: ${failure.reason}`, { [failure.field]: failure.reason });
    throw notFound(`SLO "${slug}"`);
  }
  const target = await db().pushTarget.findFirst({ where: { kind: "prometheus", mode: "file", enabled: true }, orderBy: { name: "asc" } });
  let live: string | null = null;
  let liveSource = "no Prometheus target configured";
  if (target) {
    const dir = (target.settings as TargetSettings).rulesDir ?? "";
    liveSource = `${target.name}: ${join(dir, path)}`;
    try {
      live = await readFile(join(dir, path), "utf8");
    } catch {
      live = null;
    }
  }
  const differs = live === null || !sameRuleFile(live, desired.content);
  return { path, desired: desired.content, live, liveSource, differs, diff: lineDiff(body(live ?? ""), body(desired.content)), deployment: await sloDeployment(slug, viewer) };
}

/**
 * Where one SLO's rules are live: per rule target, "live since T" or "not deployed since T: reason"
 * (mapped, readable reasons), and the target's own state (failing, held) when it blocks the SLO.
 */
export async function sloDeployment(slug: string, viewer: Viewer = ANY_READER) {
  const rows = await db().pushTarget.findMany({ where: { enabled: true, kind: { in: ["prometheus", "mimir"] } }, orderBy: { name: "asc" } });
  return rows.map((t) => {
    const q = (Array.isArray(t.quarantine) ? (t.quarantine as QuarantineEntry[]) : []).find((x) => x.slo === slug);
    const live = ((t.deployState ?? {}) as Record<string, { hash: string; liveSince: string }>)[slug];
    return {
      target: t.name,
      targetId: t.id,
      targetStatus: t.status,
      liveSince: live?.liveSince ?? null,
      notDeployedSince: q?.since ?? null,
      reason: q ? notDeployedReason(q, viewer) : null,
      // A failing or held target does not apply this SLO's latest change either.
      pending: !q && (t.status === "failing" || t.status === "held") ? (t.status === "held" ? "a push is held for an administrator's confirmation" : `the latest change is not live yet: ${pushFailure(upstreamText(t.statusMessage, viewer))}`) : null,
      lastSuccessAt: t.lastSuccessAt,
    };
  });
}

/** A failing target's status as a push failure ("push failed at reload: …", "push failed: Prometheus unreachable: …"), first line only. */
function pushFailure(statusMessage: string): string {
  const first = (statusMessage.split("\n")[0] ?? "").slice(0, 200);
  if (first.startsWith("push failed")) return first;
  const m = /^(unreachable|refused): (.*)$/.exec(first);
  return m ? `push failed: target ${m[1]}: ${m[2]}` : `push failed: ${first}`;
}

/** POST /targets/:id/confirm: an administrator applies a push held by the mass-deletion guard. */
export async function confirmHeld(id: string, input: unknown, actor: Principal) {
  requireAdmin(actor, "confirming a push that removes SLO rules");
  const { revisionId } = z.object({ revisionId: z.string().min(1, "is required") }).parse(input);
  const t = await db().pushTarget.findUnique({ where: { id } });
  if (!t) throw notFound(`push target "${id}"`);
  return confirmHeldPush(id, revisionId, actor.name);
}
