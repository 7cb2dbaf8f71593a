// GET /api/v1/tokens – your API tokens (never the secret); POST {name, expiresInDays?} – create one,
// the token is returned once. Tokens expire after 90 days unless expiresInDays says otherwise (null = never).
import { createApiToken } from "@burnrate/db";
import { tokenExpiry } from "@burnrate/domain";
import { z } from "zod";
import { db } from "~/server/db";
import { ApiError } from "~/server/http/errors";
import { created, readJson, withApi } from "~/server/http/api";

export const dynamic = "force-dynamic";
const Body = z.object({
  name: z.string().trim().min(1, "is required").max(80, "must be at most 80 characters"),
  expiresInDays: z.number().int("must be a whole number of days").min(1, "must be at least 1 day").max(3650, "must be at most 3650 days (10 years)").nullable().default(90),
});

export const GET = withApi(async (_req, _p, me) => ({
  items: await db().apiToken.findMany({ where: { userId: me.id }, select: { id: true, name: true, createdAt: true, lastUsedAt: true, expiresAt: true }, orderBy: { createdAt: "desc" } }),
}));
export const POST = withApi(async (req, _p, me) => {
  if (me.via === "auth-disabled") throw new ApiError("bad_request", "API tokens need login to be enabled (BURNRATE_AUTH=on)");
  const { name, expiresInDays } = Body.parse(await readJson(req));
  const expiresAt = tokenExpiry(Date.now(), expiresInDays);
  // A token cannot mint a token that outlives it (a leaked short-lived token must not become a permanent one).
  if (me.via === "token" && me.tokenExpiresAt && (expiresAt === null || expiresAt > me.tokenExpiresAt)) {
    throw new ApiError("validation_failed", `expiresInDays: a token created with an API token may not outlive it (yours expires on ${me.tokenExpiresAt.toISOString()})`, { expiresInDays: `at most until ${me.tokenExpiresAt.toISOString()}` });
  }
  const token = await createApiToken(db(), me.id, name, expiresAt);
  await db().auditEvent.create({ data: { actor: me.name, action: "token.create", entityType: "api_token", entityId: me.id, entitySlug: name, after: { expiresAt } } });
  return created({ name, token, expiresAt, note: "store this token now; it is not shown again" });
});
