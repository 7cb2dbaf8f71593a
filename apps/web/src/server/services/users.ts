import "server-only";
import { hashPassword, type Prisma } from "@burnrate/db";
import { z } from "zod";
import { requireAdmin, requireTeamRole, type Principal } from "../auth";
import { db } from "../db";
import { ApiError, notFound } from "../http/errors";
import { audit } from "./audit";

/**
 * User and role management. Global administrators manage every user; a team's admins manage who
 * has which role on their own team. Guard rails: nobody disables or demotes themselves, and the
 * last enabled administrator cannot be removed. Every change is audited with before/after, and a
 * disabled user's sessions end at once (their API tokens are refused while disabled).
 */
const RoleSchema = z.enum(["viewer", "editor", "admin"]);
const TeamSlug = z.string().regex(/^[a-z0-9-]{2,63}$/, "must be a team slug");
const Memberships = z.array(z.object({ team: TeamSlug, role: RoleSchema })).max(200).refine((ms) => new Set(ms.map((m) => m.team)).size === ms.length, "each team may appear once");
const Password = z.string().min(12, "must be at least 12 characters").max(1024);

export const CreateUserSchema = z.object({
  email: z.string().trim().toLowerCase().max(320).email("must be an email address"),
  name: z.string().trim().max(120).default(""),
  /** Optional: users without a password sign in through single sign-on only. */
  password: Password.optional(),
  isAdmin: z.boolean().default(false),
  memberships: Memberships.default([]),
});
export const UpdateUserSchema = z.object({
  name: z.string().trim().max(120).optional(),
  password: Password.optional(),
  isAdmin: z.boolean().optional(),
  disabled: z.boolean().optional(),
  /** Replaces all team roles. */
  memberships: Memberships.optional(),
}).strict();
export const SetMemberSchema = z.object({ role: RoleSchema.nullable() }).strict();

/** What the users API shows of a user: team roles and the number of API tokens. */
const WITH_ROLES = { memberships: { include: { team: true } }, _count: { select: { apiTokens: true } } } satisfies Prisma.UserInclude;
type UserRow = Prisma.UserGetPayload<{ include: typeof WITH_ROLES }>;
const loadUser = (id: string) => db().user.findUnique({ where: { id }, include: WITH_ROLES });

export function userOut(u: UserRow) {
  return {
    id: u.id, email: u.email, name: u.name, isAdmin: u.isAdmin, disabled: u.disabled,
    sso: Boolean(u.oidcSubject), hasPassword: Boolean(u.passwordHash),
    lastLoginAt: u.lastLoginAt, createdAt: u.createdAt, apiTokens: u._count.apiTokens,
    roles: Object.fromEntries(u.memberships.map((m) => [m.team.slug, m.role])) as Record<string, "viewer" | "editor" | "admin">,
  };
}
const snapshot = (u: UserRow) => {
  const o = userOut(u);
  return { email: o.email, name: o.name, isAdmin: o.isAdmin, disabled: o.disabled, roles: o.roles };
};

export async function listUsers(me: Principal) {
  requireAdmin(me, "listing users");
  const users = await db().user.findMany({ include: WITH_ROLES, orderBy: { email: "asc" } });
  return { items: users.map(userOut) };
}

async function teamIds(slugs: string[]): Promise<Map<string, string>> {
  const teams = await db().team.findMany({ where: { slug: { in: slugs } }, select: { id: true, slug: true } });
  const map = new Map(teams.map((t) => [t.slug, t.id]));
  const missing = slugs.filter((s) => !map.has(s));
  if (missing.length) throw new ApiError("validation_failed", `unknown team ${missing.map((m) => `"${m}"`).join(", ")}`, { memberships: `unknown team ${missing.join(", ")}` });
  return map;
}

export async function createUser(input: unknown, me: Principal) {
  requireAdmin(me, "creating users");
  const b = CreateUserSchema.parse(input);
  if (await db().user.findUnique({ where: { email: b.email } })) throw new ApiError("conflict", `a user with email ${b.email} already exists`, { email: "already exists" });
  const ids = await teamIds(b.memberships.map((m) => m.team));
  const u = await db().$transaction(async (tx) => {
    const created = await tx.user.create({
      data: {
        email: b.email, name: b.name, isAdmin: b.isAdmin, passwordHash: b.password ? hashPassword(b.password) : null,
        memberships: { create: b.memberships.map((m) => ({ teamId: ids.get(m.team) ?? "", role: m.role })) },
      },
      include: WITH_ROLES,
    });
    await audit(tx, { actor: me.name, action: "user.create", entityType: "user", entityId: created.id, entitySlug: b.email, after: { email: b.email, name: b.name, isAdmin: b.isAdmin, roles: Object.fromEntries(b.memberships.map((m) => [m.team, m.role])), password: b.password ? "set" : "none (SSO only)" } });
    return created;
  });
  return userOut(u);
}

export async function updateUser(id: string, input: unknown, me: Principal) {
  requireAdmin(me, "changing users");
  const b = UpdateUserSchema.parse(input);
  const before = await loadUser(id);
  if (!before) throw notFound(`user ${id}`);
  const self = before.id === me.id;
  if (self && b.disabled === true) throw new ApiError("validation_failed", "you cannot disable your own account", { disabled: "not for your own account" });
  if (self && b.isAdmin === false) throw new ApiError("validation_failed", "you cannot remove your own administrator role; ask another administrator", { isAdmin: "not for your own account" });
  const losesAdmin = before.isAdmin && !before.disabled && (b.isAdmin === false || b.disabled === true);
  const ids = b.memberships ? await teamIds(b.memberships.map((m) => m.team)) : null;
  const after = await db().$transaction(async (tx) => {
    // Counted inside the (serializable) transaction: two administrators demoting each other at the
    // same moment must not leave none.
    if (losesAdmin && (await tx.user.count({ where: { isAdmin: true, disabled: false, id: { not: id } } })) === 0) {
      throw new ApiError("validation_failed", "this is the last enabled administrator; make someone else an administrator first", { isAdmin: "last administrator" });
    }
    await tx.user.update({
      where: { id },
      data: {
        name: b.name, isAdmin: b.isAdmin, disabled: b.disabled,
        passwordHash: b.password ? hashPassword(b.password) : undefined,
      },
    });
    if (b.memberships && ids) {
      await tx.membership.deleteMany({ where: { userId: id } });
      await tx.membership.createMany({ data: b.memberships.map((m) => ({ userId: id, teamId: ids.get(m.team) ?? "", role: m.role })) });
    }
    // Disabling or a new password ends every session (tokens are refused while disabled).
    if (b.disabled === true || b.password) await tx.session.deleteMany({ where: { userId: id } });
    const after = await tx.user.findUniqueOrThrow({ where: { id }, include: WITH_ROLES });
    await audit(tx, {
      actor: me.name, action: b.disabled === true ? "user.disable" : b.disabled === false && before.disabled ? "user.enable" : "user.update",
      entityType: "user", entityId: id, entitySlug: before.email,
      before: snapshot(before), after: { ...snapshot(after), ...(b.password ? { password: "changed" } : {}) },
    });
    return after;
  }, { isolationLevel: "Serializable" });
  return userOut(after);
}

/** Members of one team with their roles: visible to anyone who can see the team. */
export async function teamMembers(slug: string) {
  const team = await db().team.findUnique({ where: { slug }, include: { members: { include: { user: true }, orderBy: { user: { email: "asc" } } } } });
  if (!team) throw notFound(`team "${slug}"`);
  return { items: team.members.map((m) => ({ userId: m.userId, email: m.user.email, name: m.user.name, role: m.role, disabled: m.user.disabled, sso: Boolean(m.user.oidcSubject) })) };
}

/** Sets (or with role null removes) one user's role on a team: team admins and global admins. */
export async function setTeamMember(slug: string, email: string, input: unknown, me: Principal) {
  requireTeamRole(me, slug, "admin", "managing team members");
  const { role } = SetMemberSchema.parse(input);
  const team = await db().team.findUnique({ where: { slug } });
  if (!team) throw notFound(`team "${slug}"`);
  const user = await db().user.findUnique({ where: { email: email.toLowerCase() } });
  if (!user) throw new ApiError("not_found", `no user with email ${email}; an administrator creates users (or they sign in through SSO once)`);
  if (user.id === me.id && !me.isAdmin && role !== "admin") throw new ApiError("validation_failed", "you cannot lower your own role on this team", { role: "not for your own account" });
  const existing = await db().membership.findUnique({ where: { userId_teamId: { userId: user.id, teamId: team.id } } });
  await db().$transaction(async (tx) => {
    if (role === null) await tx.membership.deleteMany({ where: { userId: user.id, teamId: team.id } });
    else await tx.membership.upsert({ where: { userId_teamId: { userId: user.id, teamId: team.id } }, update: { role }, create: { userId: user.id, teamId: team.id, role } });
    await audit(tx, { actor: me.name, action: role === null ? "team.member-remove" : "team.member-set", entityType: "team", entityId: team.id, entitySlug: slug, before: { member: user.email, role: existing?.role ?? null }, after: { member: user.email, role } });
  });
  return teamMembers(slug);
}
