/**
 * Single sign-on (OpenID Connect) policy, kept pure so it can be tested without an identity
 * provider: which claims make an acceptable identity, and how IdP groups map to Burnrate roles.
 *
 * Role mapping syntax (BURNRATE_OIDC_ROLE_MAPPING), entries separated by commas or newlines:
 *   sre-leads=admin              members of group "sre-leads" are global administrators
 *   payments-devs=payments:editor  editor on team "payments"
 *   managers=*:viewer            viewer on every team
 * A user in several groups gets the highest role per team.
 */
export type TeamRole = "viewer" | "editor" | "admin";
const RANK: Record<TeamRole, number> = { viewer: 1, editor: 2, admin: 3 };

export type RoleGrant = { group: string; admin: true } | { group: string; admin?: false; team: string; role: TeamRole };
export type RoleMapping = RoleGrant[];

const TEAM_SLUG = /^[a-z0-9-]{2,63}$/;

/** Parses the mapping; throws an Error naming the bad entry, so a misconfiguration fails at start. */
export function parseRoleMapping(text: string | undefined): RoleMapping {
  if (!text?.trim()) return [];
  const out: RoleMapping = [];
  for (const raw of text.split(/[,\n]/)) {
    const entry = raw.trim();
    if (!entry) continue;
    const eq = entry.lastIndexOf("=");
    const group = eq > 0 ? entry.slice(0, eq).trim() : "";
    const target = eq > 0 ? entry.slice(eq + 1).trim() : "";
    if (!group || !target) throw new Error(`role mapping entry "${entry}" must look like group=admin, group=team:role or group=*:role`);
    if (target === "admin") {
      out.push({ group, admin: true });
      continue;
    }
    const [team, role, extra] = target.split(":");
    if (extra !== undefined || !team || !role) throw new Error(`role mapping entry "${entry}": "${target}" must be admin, team:role or *:role`);
    if (team !== "*" && !TEAM_SLUG.test(team)) throw new Error(`role mapping entry "${entry}": "${team}" is not a team slug`);
    if (role !== "viewer" && role !== "editor" && role !== "admin") throw new Error(`role mapping entry "${entry}": role must be viewer, editor or admin, not "${role}"`);
    out.push({ group, team, role });
  }
  return out;
}

/** Roles a set of IdP groups grants: global admin flag and the highest role per team. */
export function rolesFromGroups(mapping: RoleMapping, groups: readonly string[], allTeams: readonly string[]): { isAdmin: boolean; roles: Record<string, TeamRole> } {
  const member = new Set(groups);
  let isAdmin = false;
  const roles: Record<string, TeamRole> = {};
  const grant = (team: string, role: TeamRole) => {
    const have = roles[team];
    if (!have || RANK[role] > RANK[have]) roles[team] = role;
  };
  for (const g of mapping) {
    if (!member.has(g.group)) continue;
    if (g.admin) isAdmin = true;
    else if (g.team === "*") for (const t of allTeams) grant(t, g.role);
    else if (allTeams.includes(g.team)) grant(g.team, g.role);
  }
  return { isAdmin, roles };
}

export type SsoIdentity = {
  subject: string;
  email: string;
  name: string;
  groups: string[];
  /** False when the groups claim was absent (not merely empty): roles must then not be synced. */
  groupsPresent: boolean;
};
export type SsoPolicy = {
  allowedDomains: string[];
  groupsClaim: string;
  /**
   * Accept an email without `email_verified: true` (for IdPs that only issue verified addresses
   * but do not send the claim). Off by default: an unverified email must never link to, or create,
   * an account, or someone could claim another person's address (the "nOAuth" problem).
   */
  trustEmail?: boolean;
};

/**
 * Turns ID token / userinfo claims into an identity, or explains why it is refused. The email must
 * be present and verified (`email_verified: true`, unless the policy trusts the IdP's emails), and
 * its domain must be allowed when a list is configured.
 */
export function identityFromClaims(claims: Record<string, unknown>, policy: SsoPolicy): { ok: true; identity: SsoIdentity } | { ok: false; reason: string } {
  const subject = typeof claims.sub === "string" ? claims.sub : "";
  if (!subject) return { ok: false, reason: "the identity provider sent no subject (sub) claim" };
  const email = typeof claims.email === "string" ? claims.email.trim().toLowerCase() : "";
  if (!email || !/^[^\s@]+@[^\s@]+$/.test(email)) return { ok: false, reason: "the identity provider sent no email address; add the email scope/claim for this client" };
  const verified = claims.email_verified === true || claims.email_verified === "true";
  if (claims.email_verified === false || claims.email_verified === "false") return { ok: false, reason: `the identity provider has not verified ${email}` };
  if (!verified && !policy.trustEmail) return { ok: false, reason: `the identity provider did not say that ${email} is verified (no email_verified claim); if it only issues verified addresses, set BURNRATE_OIDC_TRUST_EMAIL=on` };
  const domain = email.slice(email.lastIndexOf("@") + 1);
  if (policy.allowedDomains.length > 0 && !policy.allowedDomains.includes(domain)) return { ok: false, reason: `accounts from ${domain} may not sign in here (allowed: ${policy.allowedDomains.join(", ")})` };
  const rawName = [claims.name, claims.preferred_username].find((v) => typeof v === "string" && v.trim());
  const name = typeof rawName === "string" ? rawName.trim().slice(0, 120) : "";
  const g = claims[policy.groupsClaim];
  const groupsPresent = Array.isArray(g) || typeof g === "string";
  const groups = Array.isArray(g) ? g.filter((x): x is string => typeof x === "string") : typeof g === "string" ? g.split(/[\s,]+/).filter(Boolean) : [];
  return { ok: true, identity: { subject, email, name, groups, groupsPresent } };
}
