import "server-only";
import { randomBytes } from "node:crypto";
import { parseGithubDeploymentStatus, parseGitlabDeployment, verifyGithubSignature, verifyGitlabSignature, verifyGitlabToken } from "@burnrate/integrations";
import { z } from "zod";
import { decryptSecret, encryptSecret } from "../crypto";
import { requireAdmin, type Principal } from "../auth";
import { db } from "../db";
import { parseJsonStrict } from "../http/api";
import { ApiError } from "../http/errors";
import { recordDeployment } from "./delivery";

/** Webhooks authenticate with their own signature; they act as a system principal. */
const SYSTEM = (name: string): Principal => ({ id: name, name, email: "", displayName: name, isAdmin: true, roles: {}, via: "token" });

const IntegrationInput = z.object({
  name: z.string().trim().min(2, "must be at least 2 characters").max(80).regex(/^[\w .-]+$/, "use letters, digits, spaces, dots and dashes"),
  provider: z.enum(["github", "gitlab"]),
});

/** Creates a webhook integration with a random secret, returned once (stored encrypted). */
export async function createIntegration(raw: unknown, actor: Principal) {
  requireAdmin(actor, "creating a webhook integration");
  const input = IntegrationInput.parse(raw);
  const secret = randomBytes(24).toString("base64url");
  const row = await db().webhookIntegration.create({ data: { ...input, secretCiphertext: encryptSecret(secret) } });
  await db().auditEvent.create({ data: { actor: actor.name, action: "integration.create", entityType: "integration", entityId: row.id, entitySlug: row.name, after: input } });
  return { id: row.id, name: row.name, provider: row.provider, secret, url: `/api/v1/webhooks/${row.provider}/${row.id}` };
}

export async function listIntegrations() {
  const rows = await db().webhookIntegration.findMany({ orderBy: { name: "asc" } });
  return rows.map((r) => ({ id: r.id, name: r.name, provider: r.provider, createdAt: r.createdAt, url: `/api/v1/webhooks/${r.provider}/${r.id}` }));
}

async function integration(id: string, provider: string) {
  const row = await db().webhookIntegration.findUnique({ where: { id } });
  // Same answer for unknown ids and wrong providers: do not reveal which integrations exist.
  if (!row || row.provider !== provider) throw new ApiError("unauthorized", "unknown webhook integration or bad signature");
  return { ...row, secret: decryptSecret(row.secretCiphertext) };
}

/**
 * GitHub `deployment_status` webhook, verified with X-Hub-Signature-256 over the raw body.
 * Non-terminal statuses (queued, in_progress) and other events are acknowledged and ignored.
 */
export async function githubWebhook(id: string, rawBody: string, headers: Headers) {
  const i = await integration(id, "github");
  const check = verifyGithubSignature(rawBody, headers.get("x-hub-signature-256"), i.secret);
  if (!check.ok) throw new ApiError("unauthorized", `signature rejected: ${check.message}`);
  const event = headers.get("x-github-event");
  if (event === "ping") return { status: "ok", message: "pong" };
  if (event !== "deployment_status") return { status: "ignored", reason: `event ${event ?? "(none)"} is not handled` };
  const body = parseJsonStrict(rawBody);
  const parsed = parseGithubDeploymentStatus(body);
  if (parsed.status === "error") throw new ApiError("validation_failed", `${parsed.field}: ${parsed.message}`, { [parsed.field]: parsed.message });
  if (parsed.status === "ignored") return { status: "ignored", reason: parsed.reason };
  return { status: "recorded", deployment: await recordDeployment(parsed.value, SYSTEM(`github:${i.name}`), "github") };
}

/**
 * GitLab deployment webhook, verified with X-Gitlab-Token (or the newer webhook-signature headers,
 * whose timestamp is checked against `now`, the instant the route handler received the request).
 */
export async function gitlabWebhook(id: string, rawBody: string, headers: Headers, now: number) {
  const i = await integration(id, "gitlab");
  const signature = headers.get("webhook-signature");
  const check = signature
    ? verifyGitlabSignature(rawBody, { webhookId: headers.get("webhook-id"), webhookTimestamp: headers.get("webhook-timestamp"), webhookSignature: signature }, i.secret, now)
    : verifyGitlabToken(headers.get("x-gitlab-token"), i.secret);
  if (!check.ok) throw new ApiError("unauthorized", `signature rejected: ${check.message}`);
  const body = parseJsonStrict(rawBody);
  const parsed = parseGitlabDeployment(body);
  if (parsed.status === "error") throw new ApiError("validation_failed", `${parsed.field}: ${parsed.message}`, { [parsed.field]: parsed.message });
  if (parsed.status === "ignored") return { status: "ignored", reason: parsed.reason };
  return { status: "recorded", deployment: await recordDeployment(parsed.value, SYSTEM(`gitlab:${i.name}`), "gitlab") };
}
