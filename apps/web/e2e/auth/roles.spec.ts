import { expect, test } from "@playwright/test";
import { ROLES, call, uniq, type Role } from "./support";

/**
 * Every mutating endpoint, tried as every role, against the app with login enabled.
 * Forbidden roles must get exactly 401 (anonymous) or 403 and change nothing; allowed roles must
 * get past authorization (no 401/403, no 5xx).
 */

type Case = {
  name: string;
  /** Roles allowed to do it. */
  allowed: Role[];
  /** Builds the request; may read current state (versions) with the admin token. */
  request: (role: Role) => Promise<{ method: string; path: string; body?: unknown }>;
  /** Undo a successful call (admin). */
  cleanup?: (res: { status: number; body: Record<string, unknown> }, role: Role) => Promise<void>;
};

/** Audit-log actor of each role's token user. */
const ACTOR: Record<Role, string> = {
  anonymous: "anonymous",
  viewer: "viewer@burnrate.local",
  "payments-editor": "payments-editor@burnrate.local",
  "discovery-editor": "discovery-editor@burnrate.local",
  admin: "admin@burnrate.local",
};

const PAYMENTS_EDITORS: Role[] = ["payments-editor", "admin"];
const ADMIN: Role[] = ["admin"];
const ANY_EDITOR: Role[] = ["payments-editor", "discovery-editor", "admin"];
const READERS: Role[] = ["viewer", "payments-editor", "discovery-editor", "admin"];

test.describe("authorization on every mutating endpoint", () => {
  test("each role gets exactly what its role allows", async ({ request }) => {
    const admin = (method: string, path: string, body?: unknown) => call(request, "admin", method, path, body);
    const version = async (path: string) => {
      const r = await admin("GET", path);
      expect(r.status, `GET ${path}: ${r.text}`).toBe(200);
      return r.body as Record<string, unknown> & { version: number };
    };
    const checkoutSlo = async () => version("/api/v1/slos/checkout-availability");
    // A throwaway user the user-management cases act on.
    const target = await admin("POST", "/api/v1/users", { email: `${uniq("matrix-target")}@example.com`, name: "Matrix target" });
    expect(target.status, target.text).toBe(201);
    const targetId = String(target.body.id);
    const targetEmail = String(target.body.email);
    // A push target an administrator disabled: only administrators may still push to it.
    const disabled = await admin("POST", "/api/v1/targets", { name: uniq("matrix-disabled"), kind: "prometheus", url: "http://127.0.0.1:9", mode: "file", settings: { rulesDir: "/nonexistent/burnrate-matrix-disabled" }, enabled: false });
    expect(disabled.status, disabled.text).toBe(201);
    const disabledTarget = String(disabled.body.id);

    const cases: Case[] = [
      { name: "create a team", allowed: ADMIN, request: async () => ({ method: "POST", path: "/api/v1/teams", body: { slug: uniq("t"), name: "Matrix team" } }), cleanup: async (r) => void (await admin("DELETE", `/api/v1/teams/${String(r.body.slug)}`)) },
      { name: "edit a team (team admin)", allowed: ADMIN, request: async () => { const t = await version("/api/v1/teams/payments"); return { method: "PUT", path: "/api/v1/teams/payments", body: { slug: "payments", name: t.name, description: `${String(t.description)}.`, version: t.version } }; } },
      { name: "create a service in payments", allowed: PAYMENTS_EDITORS, request: async () => ({ method: "POST", path: "/api/v1/services", body: { slug: uniq("svc"), name: "Matrix service", team: "payments" } }), cleanup: async (r) => void (await admin("DELETE", `/api/v1/services/${String(r.body.slug)}`)) },
      { name: "edit the checkout service", allowed: PAYMENTS_EDITORS, request: async () => { const s = await version("/api/v1/services/checkout"); return { method: "PUT", path: "/api/v1/services/checkout", body: { ...s, version: s.version } }; } },
      { name: "create an SLI on checkout", allowed: PAYMENTS_EDITORS, request: async () => ({ method: "POST", path: "/api/v1/slis", body: { slug: uniq("sli"), name: "Matrix SLI", service: "checkout", spec: { kind: "availability", metric: "http_requests_total", matchers: [{ label: "service", op: "=", value: "checkout" }], errorMatchers: [{ label: "code", op: "=~", value: "5.." }] } } }), cleanup: async (r) => void (await admin("DELETE", `/api/v1/slis/${String(r.body.id)}`)) },
      { name: "create an SLO on checkout", allowed: PAYMENTS_EDITORS, request: async () => ({ method: "POST", path: "/api/v1/slos", body: { slug: uniq("slo"), name: "Matrix SLO", service: "checkout", sli: "availability", objective: 99.5, window: "30d" } }), cleanup: async (r) => void (await admin("DELETE", `/api/v1/slos/${String(r.body.slug)}`)) },
      { name: "edit the checkout availability SLO", allowed: PAYMENTS_EDITORS, request: async () => { const s = await checkoutSlo(); return { method: "PUT", path: "/api/v1/slos/checkout-availability", body: { slug: s.slug, name: s.name, description: s.description, service: s.service, sli: s.sli, objective: s.objective, window: s.window, budgetingMethod: s.budgetingMethod, alerting: s.alerting, labels: s.labels, policy: s.policy, version: s.version } }; } },
      { name: "edit the search availability SLO (discovery)", allowed: ["discovery-editor", "admin"], request: async () => { const s = await version("/api/v1/slos/search-availability"); return { method: "PUT", path: "/api/v1/slos/search-availability", body: { slug: s.slug, name: s.name, description: s.description, service: s.service, sli: s.sli, objective: s.objective, window: s.window, budgetingMethod: s.budgetingMethod, alerting: s.alerting, labels: s.labels, policy: s.policy, version: s.version } }; } },
      { name: "create a policy for payments", allowed: PAYMENTS_EDITORS, request: async () => ({ method: "POST", path: "/api/v1/policies", body: { slug: uniq("pol"), name: "Matrix policy", team: "payments", steps: [{ condition: { type: "budget_remaining", belowPercent: 0 }, action: "feature_freeze" }] } }), cleanup: async (r) => void (await admin("DELETE", `/api/v1/policies/${String(r.body.slug)}`)) },
      { name: "create a receiver for payments", allowed: PAYMENTS_EDITORS, request: async () => ({ method: "POST", path: "/api/v1/receivers", body: { slug: uniq("rcv"), name: "Matrix receiver", team: "payments", severities: ["page"], config: { kind: "email", to: "oncall@example.com" } } }), cleanup: async (r) => void (await admin("DELETE", `/api/v1/receivers/${String(r.body.slug)}`)) },
      { name: "record a checkout deployment", allowed: PAYMENTS_EDITORS, request: async () => ({ method: "POST", path: "/api/v1/deployments", body: { service: "checkout", sha: "0123456789abcdef0123456789abcdef01234567", result: "success", finishedAt: new Date().toISOString(), externalId: uniq("matrix") } }) },
      { name: "open a checkout incident", allowed: PAYMENTS_EDITORS, request: async () => ({ method: "POST", path: "/api/v1/incidents", body: { service: "checkout", title: "Matrix incident", severity: "ticket", openedAt: new Date().toISOString(), resolvedAt: new Date().toISOString() } }) },
      { name: "create a push target", allowed: ADMIN, request: async () => ({ method: "POST", path: "/api/v1/targets", body: { name: uniq("target"), kind: "prometheus", url: "http://127.0.0.1:9", mode: "file", settings: { rulesDir: "/nonexistent/burnrate-matrix" }, enabled: false } }), cleanup: async (r) => void (await admin("DELETE", `/api/v1/targets/${String(r.body.id)}`)) },
      { name: "create a webhook integration", allowed: ADMIN, request: async () => ({ method: "POST", path: "/api/v1/integrations", body: { name: uniq("integration"), provider: "github" } }) },
      { name: "create a user", allowed: ADMIN, request: async () => ({ method: "POST", path: "/api/v1/users", body: { email: `${uniq("u")}@example.com`, password: "correct horse battery", memberships: [] } }) },
      { name: "change a user", allowed: ADMIN, request: async () => ({ method: "PATCH", path: `/api/v1/users/${targetId}`, body: { name: uniq("renamed") } }) },
      { name: "give a user a role on payments (team admin)", allowed: ADMIN, request: async () => ({ method: "PUT", path: `/api/v1/teams/payments/members/${encodeURIComponent(targetEmail)}`, body: { role: "viewer" } }) },
      { name: "remove a user from payments (team admin)", allowed: ADMIN, request: async () => ({ method: "DELETE", path: `/api/v1/teams/payments/members/${encodeURIComponent(targetEmail)}` }) },
      { name: "roll back a revision", allowed: ADMIN, request: async () => ({ method: "POST", path: "/api/v1/revisions/does-not-exist/rollback" }) },
      { name: "sync all targets", allowed: ANY_EDITOR, request: async () => ({ method: "POST", path: "/api/v1/sync" }) },
      { name: "force-push a target an administrator disabled", allowed: ADMIN, request: async () => ({ method: "POST", path: `/api/v1/targets/${disabledTarget}/sync?force=1` }) },
      { name: "list revisions", allowed: READERS, request: async () => ({ method: "GET", path: "/api/v1/revisions" }) },
      { name: "export OpenSLO", allowed: READERS, request: async () => ({ method: "GET", path: "/api/v1/export?format=openslo" }) },
      { name: "import Sloth", allowed: ANY_EDITOR, request: async () => ({ method: "POST", path: "/api/v1/import?format=sloth", body: "version: prometheus/v1\nservice: checkout\nlabels: { team: payments }\nslos: []\n" }) },
      { name: "import OpenSLO", allowed: ANY_EDITOR, request: async () => ({ method: "POST", path: "/api/v1/import?format=openslo", body: "apiVersion: openslo/v1\nkind: Service\nmetadata:\n  name: checkout\nspec: {}\n" }) },
    ];

    const failures: string[] = [];
    for (const c of cases) {
      for (const role of ROLES) {
        const req = await c.request(role);
        // Other writers (the pushing replica's reconciler) add audit events at any time, so only
        // events by this role's own user count as "something changed".
        const auditPath = `/api/v1/audit?take=5&actor=${encodeURIComponent(ACTOR[role])}`;
        const before = await admin("GET", auditPath);
        const res = await call(request, role, req.method, req.path, req.body, typeof req.body === "string" ? "application/yaml" : "application/json");
        const allowed = c.allowed.includes(role);
        const label = `${c.name} as ${role}: HTTP ${res.status} ${res.text.slice(0, 160)}`;
        if (res.status >= 500) failures.push(`5xx — ${label}`);
        if (allowed) {
          if (res.status === 401 || res.status === 403) failures.push(`should be allowed — ${label}`);
          if (res.status < 300 && c.cleanup) await c.cleanup({ status: res.status, body: res.body }, role);
        } else {
          const want = role === "anonymous" ? 401 : 403;
          if (res.status !== want) failures.push(`expected ${want} — ${label}`);
          else if (!res.body.error?.message) failures.push(`no error message — ${label}`);
          const after = await admin("GET", auditPath);
          if (JSON.stringify(after.body) !== JSON.stringify(before.body)) failures.push(`a refused call changed something (new audit event) — ${label}`);
        }
      }
    }
    await admin("DELETE", `/api/v1/targets/${disabledTarget}`);
    expect(failures, failures.join("\n")).toEqual([]);
  });

  test("a browser session cannot be used cross-site (CSRF origin check)", async ({ request }) => {
    const { auth } = await import("./support");
    const login = await request.post(`${auth.baseUrl}/api/auth/login`, { data: { email: "payments-editor@burnrate.local", password: auth.password } });
    expect(login.status()).toBe(200);
    const body = { slug: uniq("csrf"), name: "CSRF", team: "payments" };
    const evil = await request.post(`${auth.baseUrl}/api/v1/services`, { data: body, headers: { origin: "https://evil.example" } });
    expect(evil.status()).toBe(403);
    expect(await evil.text()).toContain("cross-site request refused");
    const missing = await request.post(`${auth.baseUrl}/api/v1/services`, { data: body, headers: { origin: "" } });
    expect([403]).toContain(missing.status());
    const same = await request.post(`${auth.baseUrl}/api/v1/services`, { data: body, headers: { origin: auth.baseUrl } });
    expect(same.status(), await same.text()).toBe(201);
    expect((await request.delete(`${auth.baseUrl}/api/v1/services/${body.slug}`, { headers: { origin: auth.baseUrl } })).status()).toBe(204);
  });

  test("login is rate limited and never says whether an account exists", async ({ request }) => {
    const { auth } = await import("./support");
    // An address of its own: the per-email limit must not lock out users other suites sign in as.
    const email = "rate-limit-probe@burnrate.local";
    const statuses: number[] = [];
    const messages = new Set<string>();
    for (let i = 0; i < 7; i++) {
      const r = await request.post(`${auth.baseUrl}/api/auth/login`, { data: { email, password: `wrong-${i}` } });
      statuses.push(r.status());
      if (r.status() === 401) messages.add(((await r.json()) as { error: { message: string } }).error.message);
    }
    expect(statuses.slice(0, 5)).toEqual([401, 401, 401, 401, 401]);
    expect(statuses.slice(5)).toContain(429);
    const unknown = await request.post(`${auth.baseUrl}/api/auth/login`, { data: { email: "nobody@burnrate.local", password: "x" } });
    expect(unknown.status()).toBe(401);
    expect(((await unknown.json()) as { error: { message: string } }).error.message).toBe([...messages][0]);
  });
});
