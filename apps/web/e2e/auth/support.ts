// Helpers for the auth suites. They run against a second `next start` with login enabled
// (BURNRATE_AUTH=on, BURNRATE_RECONCILER=off) that shares the database of the main app; the
// global setup creates the demo users and one API token per role.
import type { APIRequestContext, APIResponse, Page } from "@playwright/test";
import { need } from "../support/e2e";

export const auth = {
  get baseUrl() {
    return need("E2E_AUTH_BASE_URL");
  },
  get password() {
    return need("E2E_AUTH_PASSWORD");
  },
  /** The OpenID Provider the auth replica signs in through (support/oidc-idp.ts). */
  get idpUrl() {
    return need("E2E_IDP_URL");
  },
  /** An administrator's API token that expired a minute before the suites started. */
  get expiredToken() {
    return need("E2E_TOKEN_EXPIRED");
  },
  tokens: {
    get admin() {
      return need("E2E_TOKEN_ADMIN");
    },
    get viewer() {
      return need("E2E_TOKEN_VIEWER");
    },
    get payments() {
      return need("E2E_TOKEN_PAYMENTS_EDITOR");
    },
    get discovery() {
      return need("E2E_TOKEN_DISCOVERY_EDITOR");
    },
  },
};

export type Role = "anonymous" | "viewer" | "payments-editor" | "discovery-editor" | "admin";
export const ROLES: Role[] = ["anonymous", "viewer", "payments-editor", "discovery-editor", "admin"];

export function tokenFor(role: Role): string | null {
  switch (role) {
    case "anonymous":
      return null;
    case "viewer":
      return auth.tokens.viewer;
    case "payments-editor":
      return auth.tokens.payments;
    case "discovery-editor":
      return auth.tokens.discovery;
    case "admin":
      return auth.tokens.admin;
  }
}

export type Res = { status: number; body: { error?: { code: string; message: string; fields?: Record<string, string> } } & Record<string, unknown>; text: string };

export async function call(request: APIRequestContext, role: Role, method: string, path: string, body?: unknown, contentType = "application/json"): Promise<Res> {
  const token = tokenFor(role);
  const headers: Record<string, string> = { ...(token ? { authorization: `Bearer ${token}` } : {}) };
  let r: APIResponse;
  if (body === undefined) r = await request.fetch(`${auth.baseUrl}${path}`, { method, headers });
  else if (typeof body === "string") r = await request.fetch(`${auth.baseUrl}${path}`, { method, headers: { ...headers, "content-type": contentType }, data: Buffer.from(body, "utf8") });
  else r = await request.fetch(`${auth.baseUrl}${path}`, { method, headers: { ...headers, "content-type": contentType }, data: Buffer.from(JSON.stringify(body), "utf8") });
  const text = await r.text();
  let parsed: Res["body"];
  try {
    parsed = text ? (JSON.parse(text) as Res["body"]) : {};
  } catch {
    parsed = {};
  }
  return { status: r.status(), body: parsed, text };
}

let counter = 0;
/** Unique slug per call (lowercase, valid). */
export function uniq(prefix: string): string {
  counter += 1;
  return `${prefix}-${Date.now().toString(36)}-${counter}`.slice(0, 60);
}

/** A same-origin fetch from the page, as the UI itself would send it (cookie + Origin). */
export async function pageFetch(page: Page, method: string, path: string, body?: unknown): Promise<{ status: number; text: string }> {
  return page.evaluate(
    async ([m, p, b]) => {
      const r = await fetch(p as string, { method: m as string, headers: b ? { "content-type": "application/json" } : {}, body: b ? JSON.stringify(b) : undefined });
      return { status: r.status, text: await r.text() };
    },
    [method, path, body] as const,
  );
}

/** Signs in through the login form as `email` (the suite's shared password) and waits for the board. */
export async function login(page: Page, email: string) {
  await page.goto(`${auth.baseUrl}/login`);
  await page.fill("#email", email);
  await page.fill("#password", auth.password);
  await page.click("button[type=submit]");
  await page.waitForURL(`${auth.baseUrl}/`);
}
