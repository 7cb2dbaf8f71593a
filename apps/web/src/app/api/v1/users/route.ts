// GET /api/v1/users – users and their team roles (admins); POST – create a user with roles (admins)
import { ensureUser } from "@burnrate/db";
import { z } from "zod";
import { requireAdmin } from "~/server/auth";
import { db } from "~/server/db";
import { created, readJson, withApi } from "~/server/http/api";

export const dynamic = "force-dynamic";
const Body = z.object({
  email: z.string().trim().toLowerCase().max(320).email("must be an email address"),
  name: z.string().trim().max(120).default(""),
  password: z.string().min(12, "must be at least 12 characters").max(1024),
  isAdmin: z.boolean().default(false),
  memberships: z.array(z.object({ team: z.string().regex(/^[a-z0-9-]{2,63}$/, "must be a team slug"), role: z.enum(["viewer", "editor", "admin"]) })).max(100).default([]),
});

export const GET = withApi(async (_req, _p, me) => {
  requireAdmin(me, "listing users");
  const users = await db().user.findMany({ include: { memberships: { include: { team: true } } }, orderBy: { email: "asc" } });
  return { items: users.map((u) => ({ id: u.id, email: u.email, name: u.name, isAdmin: u.isAdmin, roles: Object.fromEntries(u.memberships.map((m) => [m.team.slug, m.role])) })) };
});
export const POST = withApi(async (req, _p, me) => {
  requireAdmin(me, "creating users");
  const b = Body.parse(await readJson(req));
  const u = await ensureUser(db(), b);
  await db().auditEvent.create({ data: { actor: me.name, action: "user.create", entityType: "user", entityId: u.id, entitySlug: b.email, after: { email: b.email, isAdmin: b.isAdmin, memberships: b.memberships } } });
  return created({ id: u.id, email: u.email });
});
