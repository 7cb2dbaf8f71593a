import { describe, expect, it } from "vitest";
import { identityFromClaims, parseRoleMapping, rolesFromGroups } from "../src/auth/sso";

describe("parseRoleMapping", () => {
  it("reads admin, team and wildcard grants separated by commas or newlines", () => {
    expect(parseRoleMapping("sre=admin, payments-devs=payments:editor\nmanagers=*:viewer")).toEqual([
      { group: "sre", admin: true },
      { group: "payments-devs", team: "payments", role: "editor" },
      { group: "managers", team: "*", role: "viewer" },
    ]);
    expect(parseRoleMapping(undefined)).toEqual([]);
    expect(parseRoleMapping("  ")).toEqual([]);
  });
  it("keeps = inside group names (LDAP-style DNs) by splitting on the last =", () => {
    expect(parseRoleMapping("cn=sre-admins=admin")).toEqual([{ group: "cn=sre-admins", admin: true }]);
  });
  it("names the bad entry", () => {
    expect(() => parseRoleMapping("sre")).toThrow(/"sre" must look like/);
    expect(() => parseRoleMapping("sre=payments:owner")).toThrow(/role must be viewer, editor or admin, not "owner"/);
    expect(() => parseRoleMapping("sre=Pay Ments:editor")).toThrow(/not a team slug/);
    expect(() => parseRoleMapping("sre=a:b:c")).toThrow(/must be admin, team:role/);
  });
});

describe("rolesFromGroups", () => {
  const mapping = parseRoleMapping("sre=admin,payments-devs=payments:editor,managers=*:viewer,checkout-leads=checkout:admin,ghost=gone:editor");
  const teams = ["payments", "checkout", "search"];
  it("grants nothing without matching groups", () => {
    expect(rolesFromGroups(mapping, ["other"], teams)).toEqual({ isAdmin: false, roles: {} });
  });
  it("takes the highest role per team across groups, and ignores teams that do not exist", () => {
    expect(rolesFromGroups(mapping, ["managers", "payments-devs", "ghost"], teams)).toEqual({ isAdmin: false, roles: { payments: "editor", checkout: "viewer", search: "viewer" } });
    expect(rolesFromGroups(mapping, ["checkout-leads", "managers"], teams).roles.checkout).toBe("admin");
  });
  it("sets the global admin flag", () => {
    expect(rolesFromGroups(mapping, ["sre"], teams).isAdmin).toBe(true);
  });
});

describe("identityFromClaims", () => {
  const policy = { allowedDomains: [], groupsClaim: "groups" };
  it("normalises the email and reads groups from an array or a space separated string", () => {
    const r = identityFromClaims({ sub: "u1", email: " Ada@Example.COM ", email_verified: true, name: "Ada", groups: ["a", 3, "b"] }, policy);
    expect(r).toEqual({ ok: true, identity: { subject: "u1", email: "ada@example.com", name: "Ada", groups: ["a", "b"], groupsPresent: true } });
    const s = identityFromClaims({ sub: "u1", email: "a@x.io", email_verified: "true", preferred_username: "ada", roles: "x y,z" }, { ...policy, groupsClaim: "roles" });
    expect(s.ok && s.identity).toMatchObject({ name: "ada", groups: ["x", "y", "z"], groupsPresent: true });
  });
  it("tells an absent groups claim from an empty one", () => {
    const absent = identityFromClaims({ sub: "u", email: "a@x.io", email_verified: true }, policy);
    const empty = identityFromClaims({ sub: "u", email: "a@x.io", email_verified: true, groups: [] }, policy);
    expect(absent.ok && absent.identity).toMatchObject({ groups: [], groupsPresent: false });
    expect(empty.ok && empty.identity).toMatchObject({ groups: [], groupsPresent: true });
  });
  it("requires email_verified: true unless the IdP's emails are trusted (nOAuth)", () => {
    const noClaim = identityFromClaims({ sub: "u", email: "admin@x.io" }, policy);
    expect(noClaim).toMatchObject({ ok: false, reason: expect.stringMatching(/did not say that admin@x.io is verified .*BURNRATE_OIDC_TRUST_EMAIL=on/) });
    expect(identityFromClaims({ sub: "u", email: "admin@x.io" }, { ...policy, trustEmail: true }).ok).toBe(true);
    // An explicit "not verified" is refused even when trusting.
    expect(identityFromClaims({ sub: "u", email: "admin@x.io", email_verified: false }, { ...policy, trustEmail: true }).ok).toBe(false);
  });
  it("refuses a missing subject, a missing or unverified email, and other domains", () => {
    expect(identityFromClaims({ email: "a@x.io", email_verified: true }, policy)).toMatchObject({ ok: false, reason: expect.stringMatching(/no subject/) });
    expect(identityFromClaims({ sub: "u", email_verified: true }, policy)).toMatchObject({ ok: false, reason: expect.stringMatching(/no email/) });
    expect(identityFromClaims({ sub: "u", email: "a@x.io", email_verified: false }, policy)).toMatchObject({ ok: false, reason: expect.stringMatching(/not verified a@x.io/) });
    expect(identityFromClaims({ sub: "u", email: "a@evil.io", email_verified: true }, { ...policy, allowedDomains: ["x.io"] })).toMatchObject({ ok: false, reason: "accounts from evil.io may not sign in here (allowed: x.io)" });
    expect(identityFromClaims({ sub: "u", email: "a@x.io", email_verified: true }, { ...policy, allowedDomains: ["x.io"] }).ok).toBe(true);
  });
});
