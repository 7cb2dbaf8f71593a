// A real OpenID Provider for the SSO tests: panva's oidc-provider (OpenID Certified), with its
// development login/consent pages, on a free loopback port. Any login name is accepted; the
// account's claims come from ACCOUNTS (or default to email = login, no groups), so tests choose
// the identity by what they type on the IdP's page.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import Provider from "oidc-provider";

export const IDP_CLIENT_ID = "burnrate-e2e";
export const IDP_CLIENT_SECRET = "e2e-client-secret-0123456789";

/** `email_verified`/`groups` undefined: the claim is left out (IdPs that do not send it). */
type Account = { email: string; email_verified?: boolean; name: string; groups?: string[] };
export const ACCOUNTS: Record<string, Account> = {
  "sso-payments@example.com": { email: "sso-payments@example.com", email_verified: true, name: "Pat Payments", groups: ["payments-devs", "managers"] },
  "sso-lead@example.com": { email: "sso-lead@example.com", email_verified: true, name: "Lee Lead", groups: ["sre"] },
  "unverified@example.com": { email: "unverified@example.com", email_verified: false, name: "Una Verified", groups: [] },
  "no-verified-claim@example.com": { email: "no-verified-claim@example.com", name: "Nora Claim", groups: [] },
  "no-groups@example.com": { email: "no-groups@example.com", email_verified: true, name: "Gro Upless" },
};

function account(login: string): Account {
  return ACCOUNTS[login] ?? { email: login, email_verified: true, name: login.split("@")[0] ?? login, groups: [] };
}

export async function startIdp(redirectUri: string): Promise<{ issuer: string; close: () => Promise<void> }> {
  // Listen first to learn the port, then mount the provider with that issuer.
  const mount: { handler?: (req: IncomingMessage, res: ServerResponse) => void } = {};
  const server: Server = createServer((req, res) => (mount.handler ? mount.handler(req, res) : res.end()));
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const provider = new Provider(issuer, {
    clients: [{ client_id: IDP_CLIENT_ID, client_secret: IDP_CLIENT_SECRET, redirect_uris: [redirectUri], grant_types: ["authorization_code"], response_types: ["code"], token_endpoint_auth_method: "client_secret_basic" }],
    scopes: ["openid", "email", "profile", "groups"],
    claims: { email: ["email", "email_verified"], profile: ["name"], groups: ["groups"] },
    findAccount: (_ctx, sub) => ({
      accountId: sub,
      claims: () => {
        const a = account(sub);
        return { sub, email: a.email, name: a.name, ...(a.email_verified === undefined ? {} : { email_verified: a.email_verified }), ...(a.groups === undefined ? {} : { groups: a.groups }) };
      },
    }),
    pkce: { required: () => true },
    features: { devInteractions: { enabled: true } },
    cookies: { keys: ["e2e-idp-cookie-key-0123456789"] },
    ttl: { Session: 60 },
  });
  provider.on("server_error", (_ctx: unknown, err: Error) => console.error("[idp] server_error", err));
  mount.handler = provider.callback();
  return { issuer, close: () => new Promise<void>((r) => server.close(() => r())) };
}
