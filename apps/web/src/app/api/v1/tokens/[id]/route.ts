// DELETE /api/v1/tokens/:id – revoke one of your tokens
import { db } from "~/server/db";
import { notFound } from "~/server/http/errors";
import { noContent, withApi } from "~/server/http/api";

export const dynamic = "force-dynamic";
export const DELETE = withApi<{ id: string }>(async (_req, p, me) => {
  const r = await db().apiToken.deleteMany({ where: { id: p.id, userId: me.id } });
  if (r.count === 0) throw notFound(`token "${p.id}"`);
  await db().auditEvent.create({ data: { actor: me.name, action: "token.revoke", entityType: "api_token", entityId: p.id } });
  return noContent();
});
