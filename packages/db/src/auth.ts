import { createHash, randomBytes, scryptSync, timingSafeEqual } from "node:crypto";
import type { Db } from "./client";

/** scrypt password hash: `scrypt$N$r$p$salt$hash` (base64url). */
export function hashPassword(password: string): string {
  const salt = randomBytes(16);
  const N = 16384;
  const hash = scryptSync(password, salt, 32, { N, r: 8, p: 1 });
  return ["scrypt", N, 8, 1, salt.toString("base64url"), hash.toString("base64url")].join("$");
}

export function verifyPassword(password: string, stored: string | null | undefined): boolean {
  if (!stored) return false;
  const [alg, n, r, p, salt, hash] = stored.split("$");
  if (alg !== "scrypt" || !salt || !hash) return false;
  const want = Buffer.from(hash, "base64url");
  const got = scryptSync(password, Buffer.from(salt, "base64url"), want.length, { N: Number(n), r: Number(r), p: Number(p) });
  return got.length === want.length && timingSafeEqual(got, want);
}

/** Opaque secrets (session ids, API tokens) are stored as sha256 only. */
export function sha256(s: string): string {
  return createHash("sha256").update(s).digest("hex");
}

export function newApiToken(): string {
  return `br_${randomBytes(24).toString("base64url")}`;
}

/** Creates (or returns) a user; memberships are upserted. */
export async function ensureUser(db: Db, u: { email: string; name: string; password: string; isAdmin?: boolean; memberships?: { team: string; role: "viewer" | "editor" | "admin" }[] }) {
  const user = await db.user.upsert({
    where: { email: u.email },
    update: {},
    create: { email: u.email, name: u.name, passwordHash: hashPassword(u.password), isAdmin: u.isAdmin ?? false },
  });
  for (const m of u.memberships ?? []) {
    const team = await db.team.findUnique({ where: { slug: m.team } });
    if (!team) continue;
    await db.membership.upsert({ where: { userId_teamId: { userId: user.id, teamId: team.id } }, update: { role: m.role }, create: { userId: user.id, teamId: team.id, role: m.role } });
  }
  return user;
}

/** Creates an API token for a user and returns the plaintext (shown once). */
export async function createApiToken(db: Db, userId: string, name: string, expiresAt: Date | null = null): Promise<string> {
  const token = newApiToken();
  await db.apiToken.create({ data: { userId, name, tokenHash: sha256(token), expiresAt } });
  return token;
}

/**
 * Demo accounts: an admin, a viewer (managers, on-call) and one editor per demo team, all with
 * the given password. Idempotent.
 */
export async function seedDemoUsers(db: Db, password: string): Promise<{ email: string; role: string }[]> {
  const out: { email: string; role: string }[] = [];
  await ensureUser(db, { email: "admin@burnrate.local", name: "Admin", password, isAdmin: true });
  out.push({ email: "admin@burnrate.local", role: "admin (all teams)" });
  const teams = await db.team.findMany({ orderBy: { slug: "asc" } });
  await ensureUser(db, { email: "viewer@burnrate.local", name: "Viewer", password, memberships: teams.map((t) => ({ team: t.slug, role: "viewer" as const })) });
  out.push({ email: "viewer@burnrate.local", role: "viewer (all teams)" });
  for (const t of teams) {
    const email = `${t.slug}-editor@burnrate.local`;
    await ensureUser(db, { email, name: `${t.name} editor`, password, memberships: [{ team: t.slug, role: "editor" }] });
    out.push({ email, role: `editor of ${t.slug}` });
  }
  return out;
}
