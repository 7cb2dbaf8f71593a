// GET /api/v1/audit[?entityType=&actor=&q=&take=] – audit log, newest first
import { withApi } from "~/server/http/api";
import { db } from "~/server/db";

export const dynamic = "force-dynamic";
export const GET = withApi(async (req) => {
  const q = req.nextUrl.searchParams;
  const take = Math.min(Math.max(Number(q.get("take") ?? 100) || 100, 1), 500);
  const items = await db().auditEvent.findMany({
    where: {
      ...(q.get("entityType") ? { entityType: q.get("entityType") ?? undefined } : {}),
      ...(q.get("actor") ? { actor: q.get("actor") ?? undefined } : {}),
      ...(q.get("q") ? { OR: [{ entitySlug: { contains: q.get("q") ?? "" } }, { action: { contains: q.get("q") ?? "" } }] } : {}),
    },
    orderBy: { createdAt: "desc" },
    take,
  });
  return { items };
});
