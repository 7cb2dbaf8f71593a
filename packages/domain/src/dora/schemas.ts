import { z } from "zod";
import { SlugSchema } from "../spec/common";

/**
 * Ingestion schemas for DORA events. These are the single definition of what the generic
 * `POST /api/v1/deployments` endpoint (and every webhook adapter, after mapping) accepts.
 *
 * Timestamps are ISO-8601 strings with an explicit offset (`2026-05-01T10:00:00Z`). They stay
 * strings in the parsed value so the DB layer decides on its own representation.
 */

const IsoTimestampSchema = z.iso.datetime({ offset: true, message: "must be an ISO-8601 timestamp with offset, e.g. 2026-05-01T10:00:00Z" });

export const EnvironmentSchema = z
  .string()
  .trim()
  .toLowerCase()
  .min(1, "is required")
  .max(63, "must be at most 63 characters")
  .regex(/^[a-z0-9]([a-z0-9._-]*[a-z0-9])?$/, "use lowercase letters, digits, dots, dashes or underscores (e.g. production)");

export const GitShaSchema = z
  .string()
  .trim()
  .toLowerCase()
  .regex(/^[0-9a-f]{7,64}$/, "must be a hex git commit sha (7-64 characters)");

export const DeploymentResultSchema = z.enum(["success", "failure", "rolled_back"]);
export type DeploymentResult = z.infer<typeof DeploymentResultSchema>;

/** `unplanned` = rework: a hotfix or a deployment made because of a production incident (DORA 2024). */
export const DeploymentKindSchema = z.enum(["planned", "unplanned"]);
export type DeploymentKind = z.infer<typeof DeploymentKindSchema>;

export const CommitInputSchema = z
  .object({
    sha: GitShaSchema,
    authoredAt: IsoTimestampSchema.optional(),
    committedAt: IsoTimestampSchema.optional(),
  })
  .refine((c) => c.authoredAt !== undefined || c.committedAt !== undefined, {
    message: "needs authoredAt or committedAt",
    path: ["committedAt"],
  });
export type CommitInput = z.infer<typeof CommitInputSchema>;

export const DeploymentInputSchema = z
  .object({
    service: SlugSchema,
    /** Optional owning team slug; the app normally resolves it from the service catalog. */
    team: SlugSchema.optional(),
    environment: EnvironmentSchema.default("production"),
    version: z.string().trim().min(1).max(128, "must be at most 128 characters").optional(),
    sha: GitShaSchema,
    commits: z.array(CommitInputSchema).max(1000, "at most 1000 commits per deployment").default([]),
    startedAt: IsoTimestampSchema.optional(),
    finishedAt: IsoTimestampSchema,
    result: DeploymentResultSchema,
    kind: DeploymentKindSchema.default("planned"),
    causedIncidentIds: z.array(z.string().trim().min(1).max(200)).max(100).optional(),
    /** Idempotency key from the sender (CI run id, webhook deployment id); repeated posts upsert. */
    externalId: z.string().trim().min(1).max(200, "must be at most 200 characters").optional(),
  })
  .refine((d) => d.startedAt === undefined || Date.parse(d.startedAt) <= Date.parse(d.finishedAt), {
    message: "must not be after finishedAt",
    path: ["startedAt"],
  });
export type DeploymentInput = z.infer<typeof DeploymentInputSchema>;
export type DeploymentInputRaw = z.input<typeof DeploymentInputSchema>;

/**
 * A change (commit or merged pull request) reported separately from the deployment that ships it,
 * e.g. from a push webhook. The app attaches it to the first deployment of `service` whose `sha`
 * equals `deployedSha` (or that lists it in `commits`).
 */
export const ChangeInputSchema = z
  .object({
    service: SlugSchema,
    sha: GitShaSchema,
    authoredAt: IsoTimestampSchema.optional(),
    committedAt: IsoTimestampSchema.optional(),
    mergedAt: IsoTimestampSchema.optional(),
    pullRequest: z.string().trim().max(200).optional(),
    deployedSha: GitShaSchema.optional(),
    externalId: z.string().trim().min(1).max(200).optional(),
  })
  .refine((c) => c.authoredAt !== undefined || c.committedAt !== undefined || c.mergedAt !== undefined, {
    message: "needs authoredAt, committedAt or mergedAt",
    path: ["committedAt"],
  });
export type ChangeInput = z.infer<typeof ChangeInputSchema>;

export const IncidentSeveritySchema = z.enum(["critical", "page", "high", "ticket", "medium", "low", "info"]);
export type IncidentSeverity = z.infer<typeof IncidentSeveritySchema>;

export const IncidentInputSchema = z
  .object({
    service: SlugSchema,
    team: SlugSchema.optional(),
    title: z.string().trim().min(1, "is required").max(300, "must be at most 300 characters"),
    severity: IncidentSeveritySchema,
    openedAt: IsoTimestampSchema,
    resolvedAt: IsoTimestampSchema.optional(),
    /** Alertmanager alert fingerprint (or any sender key) used to deduplicate open/resolve events. */
    fingerprint: z.string().trim().min(1).max(200).optional(),
    source: z.enum(["alertmanager", "manual"]).default("manual"),
    causedByDeploymentId: z.string().trim().min(1).max(200).optional(),
  })
  .refine((i) => i.resolvedAt === undefined || Date.parse(i.resolvedAt) >= Date.parse(i.openedAt), {
    message: "must not be before openedAt",
    path: ["resolvedAt"],
  });
export type IncidentInput = z.infer<typeof IncidentInputSchema>;

/** Formats a zod error as `field.path: message` lines, naming the first offending field. */
export function describeZodError(error: z.ZodError, prefix = ""): { field: string; message: string } {
  const issue = error.issues[0];
  if (!issue) return { field: prefix || "(root)", message: "invalid input" };
  const path = issue.path.map(String).join(".");
  const field = [prefix, path].filter(Boolean).join(".") || "(root)";
  return { field, message: issue.message };
}
