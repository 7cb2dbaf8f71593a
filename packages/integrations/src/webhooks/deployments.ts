import { DeploymentInputSchema, type DeploymentInput, type DeploymentKind } from "@burnrate/domain";
import { z } from "zod";
import { jsonBody, parseError, slugify, toIso, zodFail, type WebhookParse } from "./common";

export interface DeploymentWebhookOptions {
  /** Service slug for this integration; default: the repository/project name, slugified. */
  service?: string;
  team?: string;
  /** Rename environments (after lowercasing), e.g. `{ prod: "production" }`. */
  environmentMap?: Record<string, string>;
  /** Default kind when the payload does not say (default planned). */
  kind?: DeploymentKind;
}

/** Generic endpoint (`POST /api/v1/deployments`): the body is a DeploymentInput. */
export function parseDeploymentBody(body: unknown): WebhookParse<DeploymentInput> {
  const json = jsonBody(body);
  if (!json.ok) return parseError(json.field, json.message);
  const r = DeploymentInputSchema.safeParse(json.value);
  return r.success ? { status: "ok", value: r.data } : zodFail(r.error);
}

/**
 * Optional Burnrate extension read from the deployment's own payload (GitHub `deployment.payload`):
 * `{ "burnrate": { "service": "checkout", "kind": "unplanned", "commits": [{ "sha", "committedAt" }], "version": "1.4.2", "rolledBack": true } }`.
 * Neither GitHub nor GitLab put commit timestamps in deployment events, so lead time needs either this
 * extension or changes attached later (ChangeInputSchema).
 */
const ExtensionSchema = z
  .object({
    service: z.string().optional(),
    kind: z.enum(["planned", "unplanned"]).optional(),
    commits: z.array(z.unknown()).optional(),
    version: z.string().optional(),
    rolledBack: z.boolean().optional(),
  })
  .partial();

function extension(payload: unknown): z.infer<typeof ExtensionSchema> | { error: { field: string; message: string } } {
  let p = payload;
  if (typeof p === "string") {
    try {
      p = JSON.parse(p);
    } catch {
      return {};
    }
  }
  if (!p || typeof p !== "object" || !("burnrate" in p)) return {};
  const r = ExtensionSchema.safeParse((p as { burnrate: unknown }).burnrate);
  if (!r.success) {
    const i = r.error.issues[0];
    if (i === undefined) throw new Error("zod reported a failed parse without issues");
    return { error: { field: ["deployment.payload.burnrate", ...i.path.map(String)].join("."), message: i.message } };
  }
  return r.data;
}

/** Validates a mapped DeploymentInput, renaming fields back to the payload fields they came from. */
function finish(candidate: Record<string, unknown>, fieldMap: Record<string, string>): WebhookParse<DeploymentInput> {
  const r = DeploymentInputSchema.safeParse(candidate);
  if (r.success) return { status: "ok", value: r.data };
  const issue = r.error.issues[0];
  if (issue === undefined) throw new Error("zod reported a failed parse without issues");
  const [head, ...rest] = issue.path.map(String);
  const field = [fieldMap[head ?? ""] ?? head ?? "(root)", ...rest].join(".");
  return parseError(field, issue.message);
}

const env = (name: string, opts: DeploymentWebhookOptions) => {
  const lower = name.trim().toLowerCase();
  return opts.environmentMap?.[lower] ?? lower;
};

// ---------------------------------------------------------------- GitHub deployment_status

const GithubDeploymentStatusSchema = z.object({
  action: z.string().optional(),
  deployment_status: z.object({
    id: z.number(),
    state: z.string(),
    environment: z.string().optional(),
    created_at: z.string(),
    description: z.string().nullish(),
    target_url: z.string().nullish(),
    log_url: z.string().nullish(),
  }),
  deployment: z.object({
    id: z.number(),
    sha: z.string(),
    ref: z.string().nullish(),
    task: z.string().nullish(),
    environment: z.string(),
    created_at: z.string(),
    payload: z.unknown().optional(),
  }),
  repository: z.object({ name: z.string(), full_name: z.string() }),
});

const GITHUB_PENDING = new Set(["pending", "queued", "in_progress", "inactive", "waiting"]);

/**
 * Maps a GitHub `deployment_status` webhook (header `X-GitHub-Event: deployment_status`) to a
 * DeploymentInput. `success` → success, `failure`/`error` → failure; pending, queued, in_progress
 * and inactive are ignored (not finished). finishedAt = deployment_status.created_at, startedAt =
 * deployment.created_at, externalId = `github:<repo>:deployment:<id>` (later statuses of the same
 * deployment upsert). Verify `X-Hub-Signature-256` on the raw body first.
 */
export function parseGithubDeploymentStatus(body: unknown, opts: DeploymentWebhookOptions = {}): WebhookParse<DeploymentInput> {
  const json = jsonBody(body);
  if (!json.ok) return parseError(json.field, json.message);
  const r = GithubDeploymentStatusSchema.safeParse(json.value);
  if (!r.success) return zodFail(r.error);
  const { deployment_status: st, deployment: dep, repository: repo } = r.data;
  const state = st.state.toLowerCase();
  if (GITHUB_PENDING.has(state)) return { status: "ignored", reason: `deployment_status.state is ${state}` };
  if (state !== "success" && state !== "failure" && state !== "error") return parseError("deployment_status.state", `unknown state ${JSON.stringify(st.state)}`);
  const ext = extension(dep.payload);
  if ("error" in ext) return parseError(ext.error.field, ext.error.message);
  const result = state === "success" ? (ext.rolledBack ? "rolled_back" : "success") : "failure";
  return finish(
    {
      service: opts.service ?? ext.service ?? slugify(repo.name),
      team: opts.team,
      environment: env(st.environment ?? dep.environment, opts),
      version: ext.version ?? dep.ref ?? undefined,
      sha: dep.sha,
      commits: ext.commits ?? [],
      startedAt: toIso(dep.created_at) ?? dep.created_at,
      finishedAt: toIso(st.created_at) ?? st.created_at,
      result,
      kind: ext.kind ?? opts.kind ?? "planned",
      externalId: `github:${repo.full_name}:deployment:${dep.id}`,
    },
    {
      service: opts.service ? "service" : ext.service ? "deployment.payload.burnrate.service" : "repository.name",
      environment: st.environment ? "deployment_status.environment" : "deployment.environment",
      version: "deployment.ref",
      sha: "deployment.sha",
      commits: "deployment.payload.burnrate.commits",
      startedAt: "deployment.created_at",
      finishedAt: "deployment_status.created_at",
    },
  );
}

// ---------------------------------------------------------------- GitLab Deployment Hook

const GitlabDeploymentSchema = z.object({
  object_kind: z.literal("deployment"),
  status: z.string(),
  status_changed_at: z.string(),
  deployment_id: z.number(),
  deployable_id: z.number().nullish(),
  deployable_url: z.string().nullish(),
  environment: z.string(),
  environment_tier: z.string().nullish(),
  environment_slug: z.string().nullish(),
  project: z.object({ id: z.number(), name: z.string(), path_with_namespace: z.string().optional() }),
  short_sha: z.string(),
  commit_url: z.string().nullish(),
  ref: z.string().nullish(),
});

const GITLAB_IGNORED = new Set(["created", "running", "canceled", "blocked", "approved", "rejected", "skipped"]);

export interface GitlabDeploymentOptions extends DeploymentWebhookOptions {
  /**
   * Which GitLab field becomes `environment`: the deployment tier (`production`, `staging`, …;
   * default, and what GitLab's own DORA uses) or the environment name.
   */
  environmentFrom?: "tier" | "name";
}

/**
 * Maps a GitLab `Deployment Hook` (header `X-Gitlab-Event: Deployment Hook`) to a DeploymentInput.
 * `success` → success, `failed` → failure; created/running/canceled/blocked are ignored. The full sha
 * comes from `commit_url` (falls back to `short_sha`); finishedAt = status_changed_at
 * (`2021-04-28 21:50:00 +0200`); externalId = `gitlab:<project id>:deployment:<deployment_id>`.
 */
export function parseGitlabDeployment(body: unknown, opts: GitlabDeploymentOptions = {}): WebhookParse<DeploymentInput> {
  const json = jsonBody(body);
  if (!json.ok) return parseError(json.field, json.message);
  const r = GitlabDeploymentSchema.safeParse(json.value);
  if (!r.success) return zodFail(r.error);
  const p = r.data;
  const status = p.status.toLowerCase();
  if (GITLAB_IGNORED.has(status)) return { status: "ignored", reason: `status is ${status}` };
  if (status !== "success" && status !== "failed") return parseError("status", `unknown status ${JSON.stringify(p.status)}`);
  const finishedAt = toIso(p.status_changed_at);
  if (!finishedAt) return parseError("status_changed_at", "is not a timestamp");
  const fullSha = /\/commit\/([0-9a-f]{40,64})\b/i.exec(p.commit_url ?? "")?.[1];
  const useTier = (opts.environmentFrom ?? "tier") === "tier" && p.environment_tier;
  return finish(
    {
      service: opts.service ?? slugify(p.project.name),
      team: opts.team,
      // useTier is the (non-empty) environment_tier itself when the tier is used.
      environment: env(useTier || p.environment, opts),
      version: p.ref ?? undefined,
      sha: fullSha ?? p.short_sha,
      commits: [],
      finishedAt,
      result: status === "success" ? "success" : "failure",
      kind: opts.kind ?? "planned",
      externalId: `gitlab:${p.project.id}:deployment:${p.deployment_id}`,
    },
    {
      service: opts.service ? "service" : "project.name",
      environment: useTier ? "environment_tier" : "environment",
      version: "ref",
      sha: fullSha ? "commit_url" : "short_sha",
      finishedAt: "status_changed_at",
    },
  );
}
