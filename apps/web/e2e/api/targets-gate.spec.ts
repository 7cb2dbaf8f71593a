// Push-target secrets never leave the server, and the deploy gate's input checks.
import { api, expect, test, type ErrorBody, type List } from "../support/e2e";

type Target = { id: string; name: string; kind: string; status: string; version: number; hasToken: boolean } & Record<string, unknown>;

const SECRET = "e2e-secret-token-0123456789abcdef";
// Disabled, so the reconciler never tries to push to its (unused) rules dir.
const TARGET = { name: "e2e-api-token-target", kind: "prometheus", url: "http://127.0.0.1:9", mode: "file", settings: { rulesDir: "/nonexistent/e2e-rules" }, enabled: false };

test("the target list shows whether a token is set, never the token or its ciphertext", async ({ request }) => {
  const r = await api(request).get<List<Target>>("/api/v1/targets");
  expect(r.status).toBe(200);
  expect(r.body.items.map((t) => t.name)).toEqual(expect.arrayContaining(["e2e-prometheus", "e2e-alertmanager"]));
  for (const t of r.body.items) {
    expect(typeof t.hasToken, `${t.name}.hasToken`).toBe("boolean");
    expect(Object.keys(t)).not.toContain("token");
    expect(Object.keys(t)).not.toContain("tokenCiphertext");
  }
});

test("a target created with a token reports hasToken and never returns the token, not even encrypted", async ({ request }) => {
  const c = api(request);
  const created = await c.post<Target>("/api/v1/targets", { ...TARGET, token: SECRET });
  expect(created.status, created.text).toBe(201);
  try {
    const id = created.body.id;
    expect(created.body.hasToken).toBe(true);
    expect(created.text).not.toContain(SECRET);
    expect(created.text).not.toContain("v1."); // the ciphertext format (v1.<iv>.<tag>.<ct>)

    await test.step("GET one and GET all do not return it", async () => {
      const one = await c.get<Target>(`/api/v1/targets/${id}`);
      expect(one.status).toBe(200);
      expect(one.body.hasToken).toBe(true);
      expect(Object.keys(one.body)).not.toContain("tokenCiphertext");
      expect(one.text).not.toContain(SECRET);
      const all = await c.get<List<Target>>("/api/v1/targets");
      expect(all.text).not.toContain(SECRET);
      expect(all.body.items.find((t) => t.id === id)?.hasToken).toBe(true);
    });

    await test.step("the audit log records that a token was set, not the token", async () => {
      const audit = await c.get<List<{ action: string; entityId: string; after: Record<string, unknown> }>>("/api/v1/audit?entityType=push_target&take=50");
      expect(audit.status).toBe(200);
      const ev = audit.body.items.find((e) => e.action === "target.create" && e.entityId === id);
      expect(ev?.after.token).toBe("(set)");
      expect(audit.text).not.toContain(SECRET);
    });

    await test.step("an update without a token keeps it; an empty token clears it", async () => {
      const kept = await c.put<Target>(`/api/v1/targets/${id}`, { ...TARGET, url: "http://127.0.0.1:10", version: 1 });
      expect(kept.status, kept.text).toBe(200);
      expect(kept.body).toMatchObject({ hasToken: true, version: 2, url: "http://127.0.0.1:10" });
      const stale = await c.put<ErrorBody>(`/api/v1/targets/${id}`, { ...TARGET, version: 1 });
      expect(stale.status, stale.text).toBe(409);
      const cleared = await c.put<Target>(`/api/v1/targets/${id}`, { ...TARGET, token: "", version: 2 });
      expect(cleared.status, cleared.text).toBe(200);
      expect(cleared.body.hasToken).toBe(false);
    });
  } finally {
    const del = await c.delete(`/api/v1/targets/${created.body.id}`);
    expect(del.status).toBe(204);
  }
  expect((await c.get(`/api/v1/targets/${created.body.id}`)).status).toBe(404);
});

test("a Prometheus file target without a rules directory is a 422 naming settings.rulesDir, and nothing is stored", async ({ request }) => {
  const c = api(request);
  const before = (await c.get<List<Target>>("/api/v1/targets")).body.items.length;
  const r = await c.post<ErrorBody>("/api/v1/targets", { ...TARGET, settings: {} });
  expect(r.status, r.text).toBe(422);
  expect(Object.keys(r.body.error.fields ?? {})).toContain("settings.rulesDir");
  expect((await c.get<List<Target>>("/api/v1/targets")).body.items).toHaveLength(before);
});

test("a target URL with credentials in it is a 422 naming url", async ({ request }) => {
  const r = await api(request).post<ErrorBody>("/api/v1/targets", { ...TARGET, url: "http://user:pass@127.0.0.1:9" });
  expect(r.status, r.text).toBe(422);
  expect(r.body.error.fields?.url).toMatch(/credentials/);
});

const GATE_CASES = [
  { title: "the deploy gate without ?service= is a 400 naming service", path: "/api/v1/gate", status: 400, code: "bad_request" },
  { title: "the deploy gate with an empty service is a 400 naming service", path: "/api/v1/gate?service=", status: 400, code: "bad_request" },
  { title: "the deploy gate for an unknown service is a 422 naming service", path: "/api/v1/gate?service=e2e-no-such-service", status: 422, code: "validation_failed" },
] as const;

for (const g of GATE_CASES) {
  test(g.title, async ({ request }) => {
    const r = await api(request).get<ErrorBody>(g.path);
    expect(r.status, r.text).toBe(g.status);
    expect(r.body.error.code).toBe(g.code);
    expect(Object.keys(r.body.error.fields ?? {})).toContain("service");
  });
}

test("the deploy gate lets a healthy service deploy (200, allowed) and lists its SLOs", async ({ request }) => {
  const r = await api(request).get<{ service: string; allowed: boolean; decision: string; degraded: boolean; slos: { slo: string }[] }>("/api/v1/gate?service=catalog");
  expect(r.status, r.text).toBe(200);
  expect(r.body).toMatchObject({ service: "catalog", allowed: true, decision: "allowed", degraded: false });
  expect(r.body.slos.map((s) => s.slo)).toContain("catalog-availability");
});
