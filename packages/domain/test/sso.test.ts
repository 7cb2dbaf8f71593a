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
    const r = identityFromClaims({ sub: "u1", email: " Ada@Example.COM ", name: "Ada", groups: ["a", 3, "b"] }, policy);
    expect(r).toEqual({ ok: true, identity: { subject: "u1", email: "ada@example.com", name: "Ada", groups: ["a", "b"] } });
    const s = identityFromClaims({ sub: "u1", email: "a@x.io", preferred_username: "ada", roles: "x y,z" }, { ...policy, groupsClaim: "roles" });
    expect(s.ok && s.identity).toMatchObject({ name: "ada", groups: ["x", "y", "z"] });
  });
  it("refuses a missing subject, a missing or unverified email, and other domains", () => {
    expect(identityFromClaims({ email: "a@x.io" }, policy)).toMatchObject({ ok: false, reason: expect.stringMatching(/no subject/) });
    expect(identityFromClaims({ sub: "u" }, policy)).toMatchObject({ ok: false, reason: expect.stringMatching(/no email/) });
    expect(identityFromClaims({ sub: "u", email: "a@x.io", email_verified: false }, policy)).toMatchObject({ ok: false, reason: expect.stringMatching(/not verified a@x.io/) });
    expect(identityFromClaims({ sub: "u", email: "a@evil.io" }, { ...policy, allowedDomains: ["x.io"] })).toMatchObject({ ok: false, reason: "accounts from evil.io may not sign in here (allowed: x.io)" });
    expect(identityFromClaims({ sub: "u", email: "a@x.io", email_verified: true }, { ...policy, allowedDomains: ["x.io"] }).ok).toBe(true);
  });
});
