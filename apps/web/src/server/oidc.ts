import "server-only";
import { identityFromClaims, parseRoleMapping, rolesFromGroups, type RoleMapping, type SsoIdentity } from "@burnrate/domain";
import * as client from "openid-client";
import { env } from "~/lib/env";
import { db } from "./db";

/**
 * OpenID Connect sign-in (authorization code flow with PKCE, state and nonce) through
 * openid-client, a certified relying-party library. Discovery is cached per process and retried
 * on failure, so an identity provider that is down at start does not need a restart.
 */
export type OidcSettings = {
  issuer: string;
  clientId: string;
  clientSecret?: string;
  displayName: string;
  scopes: string;
  groupsClaim: string;
  mapping: RoleMapping;
  allowedDomains: string[];
  autoCreate: boolean;
  trustEmail: boolean;
};

export function oidcSettings(): OidcSettings | null {
  const e = env();
  if (!e.BURNRATE_OIDC_ISSUER || !e.BURNRATE_OIDC_CLIENT_ID) return null;
  return {
    issuer: e.BURNRATE_OIDC_ISSUER,
    clientId: e.BURNRATE_OIDC_CLIENT_ID,
    clientSecret: e.BURNRATE_OIDC_CLIENT_SECRET,
    displayName: e.BURNRATE_OIDC_DISPLAY_NAME,
    scopes: e.BURNRATE_OIDC_SCOPES,
    groupsClaim: e.BURNRATE_OIDC_GROUPS_CLAIM,
    mapping: parseRoleMapping(e.BURNRATE_OIDC_ROLE_MAPPING),
    allowedDomains: (e.BURNRATE_OIDC_ALLOWED_DOMAINS ?? "").split(",").map((d) => d.trim().toLowerCase()).filter(Boolean),
    autoCreate: e.BURNRATE_OIDC_AUTO_CREATE !== "off",
    trustEmail: e.BURNRATE_OIDC_TRUST_EMAIL === "on",
  };
}

const LOOPBACK = new Set(["localhost", "127.0.0.1", "[::1]"]);
type Cache = { config?: Promise<client.Configuration>; key?: string };
const cache = ((globalThis as unknown as { burnrateOidc?: Cache }).burnrateOidc ??= {});

/** Discovered configuration; plain http is accepted only for an issuer on loopback (development, tests). */
export function oidcConfig(s: OidcSettings): Promise<client.Configuration> {
  const key = `${s.issuer}|${s.clientId}`;
  if (cache.config && cache.key === key) return cache.config;
  const issuer = new URL(s.issuer);
  const insecure = issuer.protocol === "http:";
  if (insecure && !LOOPBACK.has(issuer.hostname)) throw new OidcError("BURNRATE_OIDC_ISSUER must be https (plain http is only allowed on localhost)");
  const p = client
    .discovery(issuer, s.clientId, s.clientSecret ? { client_secret: s.clientSecret } : undefined, s.clientSecret ? client.ClientSecretBasic(s.clientSecret) : client.None(), {
      execute: insecure ? [client.allowInsecureRequests] : [],
      timeout: 10,
    })
    .catch((err: unknown) => {
      cache.config = undefined; // try again on the next sign-in
      throw new OidcError(`could not reach the identity provider at ${s.issuer}: ${describeOidcError(err)}`);
    });
  cache.config = p;
  cache.key = key;
  return p;
}

/** A sign-in failure that is shown to the user on the login page. */
export class OidcError extends Error {}

/**
 * openid-client wraps the precise reason (e.g. 'unexpected "state" response parameter value') in
 * `cause`, and OAuth error responses carry error/error_description: show all of it.
 */
export function describeOidcError(err: unknown): string {
  const parts: string[] = [];
  let cur: unknown = err;
  for (let depth = 0; cur instanceof Error && depth < 4; depth++) {
    const e = cur as Error & { error?: unknown; error_description?: unknown };
    const oauth = typeof e.error === "string" ? `${e.error}${typeof e.error_description === "string" ? `: ${e.error_description}` : ""}` : "";
    for (const m of [e.message, oauth]) if (m && !parts.includes(m)) parts.push(m);
    cur = e.cause;
  }
  return parts.join(" – ") || String(err);
}

export type LoginState = { state: string; nonce: string; verifier: string; next: string };

export async function authorizationRedirect(s: OidcSettings, redirectUri: string, next: string): Promise<{ url: URL; login: LoginState }> {
  const config = await oidcConfig(s);
  const verifier = client.randomPKCECodeVerifier();
  const login: LoginState = { state: client.randomState(), nonce: client.randomNonce(), verifier, next };
  const url = client.buildAuthorizationUrl(config, {
    redirect_uri: redirectUri,
    scope: s.scopes,
    code_challenge: await client.calculatePKCECodeChallenge(verifier),
    code_challenge_method: "S256",
    state: login.state,
    nonce: login.nonce,
  });
  return { url, login };
}

/** Exchanges the code, checks state/nonce/PKCE and the ID token, and reads the identity. */
export async function completeLogin(s: OidcSettings, callbackUrl: URL, login: LoginState): Promise<SsoIdentity> {
  const config = await oidcConfig(s);
  const err = callbackUrl.searchParams.get("error");
  if (err) throw new OidcError(`the identity provider refused the sign-in: ${callbackUrl.searchParams.get("error_description") ?? err}`);
  let tokens;
  try {
    tokens = await client.authorizationCodeGrant(config, callbackUrl, { pkceCodeVerifier: login.verifier, expectedState: login.state, expectedNonce: login.nonce, idTokenExpected: true });
  } catch (e) {
    throw new OidcError(`sign-in could not be completed: ${describeOidcError(e)}`);
  }
  const idClaims = tokens.claims();
  if (!idClaims) throw new OidcError("the identity provider returned no ID token");
  let claims: Record<string, unknown> = { ...idClaims };
  // Many providers put email, email_verified or groups only in userinfo.
  const incomplete = !claims.email || (claims.email_verified === undefined && !s.trustEmail) || claims[s.groupsClaim] === undefined;
  if (incomplete && config.serverMetadata().userinfo_endpoint) {
    try {
      const info = await client.fetchUserInfo(config, tokens.access_token, idClaims.sub);
      // The email and its verification flag are taken together, from the same source.
      const fromInfo = !claims.email || claims.email === info.email;
      claims = {
        ...info,
        ...claims,
        email: claims.email ?? info.email,
        email_verified: claims.email_verified ?? (fromInfo ? info.email_verified : undefined),
        [s.groupsClaim]: claims[s.groupsClaim] ?? info[s.groupsClaim],
      };
    } catch (e) {
      if (!claims.email) throw new OidcError(`could not read the user's profile from the identity provider: ${describeOidcError(e)}`);
    }
  }
  const r = identityFromClaims(claims, { allowedDomains: s.allowedDomains, groupsClaim: s.groupsClaim, trustEmail: s.trustEmail });
  if (!r.ok) throw new OidcError(r.reason);
  return r.identity;
}

/**
 * Finds or provisions the Burnrate user for an SSO identity. Linking is by (issuer, subject); the
 * first SSO sign-in of a user an administrator created beforehand links by (verified) email, except
 * an administrator account with a password, which is never linked automatically (a compromised or
 * misconfigured IdP must not be a way into it). With a role mapping configured, the admin flag and
 * team roles follow the IdP groups at every sign-in.
 */
export async function upsertSsoUser(s: OidcSettings, id: SsoIdentity): Promise<{ userId: string; created: boolean }> {
  if (s.mapping.length > 0 && !id.groupsPresent) {
    throw new OidcError(`the identity provider sent no "${s.groupsClaim}" claim, so roles cannot be derived from BURNRATE_OIDC_ROLE_MAPPING; add the claim (or its scope, see BURNRATE_OIDC_SCOPES) for this client`);
  }
  const bySubject = () => db().user.findUnique({ where: { oidcIssuer_oidcSubject: { oidcIssuer: s.issuer, oidcSubject: id.subject } } });
  let user = await bySubject();
  let created = false;
  if (!user) {
    const byEmail = await db().user.findUnique({ where: { email: id.email } });
    if (byEmail?.disabled) throw new OidcError("this account is disabled; ask an administrator");
    if (byEmail?.oidcSubject) throw new OidcError(`${id.email} is already linked to another single sign-on identity; ask an administrator`);
    if (byEmail?.isAdmin && byEmail.passwordHash) throw new OidcError(`${id.email} is an administrator account with a password; for safety it is not linked to single sign-on automatically. Sign in with the password`);
    if (byEmail) {
      user = await db().user.update({ where: { id: byEmail.id }, data: { oidcIssuer: s.issuer, oidcSubject: id.subject, name: byEmail.name || id.name } });
      await audit("user.sso-link", user.id, id.email, null, { issuer: s.issuer, subject: id.subject });
    } else {
      if (!s.autoCreate) throw new OidcError(`there is no Burnrate account for ${id.email}; ask an administrator to add you`);
      try {
        user = await db().user.create({ data: { email: id.email, name: id.name, oidcIssuer: s.issuer, oidcSubject: id.subject } });
        created = true;
        await audit("user.create", user.id, id.email, null, { email: id.email, via: "sso", issuer: s.issuer });
      } catch (err) {
        // Two first sign-ins at once (two tabs): the other one created it.
        if ((err as { code?: string }).code !== "P2002") throw err;
        user = await bySubject();
        if (!user) throw new OidcError(`${id.email} is already in use by another account; ask an administrator`);
      }
    }
  }
  if (user.disabled) throw new OidcError("this account is disabled; ask an administrator");
  if (s.mapping.length > 0) await syncRoles(s, user.id, id);
  return { userId: user.id, created };
}

async function syncRoles(s: OidcSettings, userId: string, id: SsoIdentity): Promise<void> {
  const teams = await db().team.findMany({ select: { id: true, slug: true } });
  const want = rolesFromGroups(s.mapping, id.groups, teams.map((t) => t.slug));
  const slugToId = new Map(teams.map((t) => [t.slug, t.id]));
  const change = await db().$transaction(
    async (tx) => {
      const before = await tx.user.findUniqueOrThrow({ where: { id: userId }, include: { memberships: { include: { team: true } } } });
      const had = Object.fromEntries(before.memberships.map((m) => [m.team.slug, m.role as string]));
      let isAdmin = want.isAdmin;
      // The groups may drop the last administrator (e.g. a renamed group); keep one.
      const keptLastAdmin = before.isAdmin && !isAdmin && (await tx.user.count({ where: { isAdmin: true, disabled: false, id: { not: userId } } })) === 0;
      if (keptLastAdmin) isAdmin = true;
      const same = before.isAdmin === isAdmin && JSON.stringify(Object.entries(had).sort()) === JSON.stringify(Object.entries(want.roles).sort());
      if (same) return null;
      await tx.membership.deleteMany({ where: { userId } });
      await tx.membership.createMany({ data: Object.entries(want.roles).map(([slug, role]) => ({ userId, teamId: slugToId.get(slug) ?? "", role })), skipDuplicates: true });
      await tx.user.update({ where: { id: userId }, data: { isAdmin } });
      return { before: { isAdmin: before.isAdmin, roles: had }, after: { isAdmin, roles: want.roles, groups: id.groups, ...(keptLastAdmin ? { note: "kept the administrator flag: this is the last enabled administrator" } : {}) } };
    },
    { isolationLevel: "Serializable" },
  );
  if (change) await audit("user.roles-from-sso", userId, id.email, change.before, change.after);
}

async function audit(action: string, userId: string, email: string, before: object | null, after: object): Promise<void> {
  await db().auditEvent.create({ data: { actor: `sso:${email}`, action, entityType: "user", entityId: userId, entitySlug: email, before: before ?? undefined, after } });
}
