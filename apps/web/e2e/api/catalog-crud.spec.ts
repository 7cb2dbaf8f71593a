// CRUD over HTTP for every catalogue resource, with the status codes of the API contract:
// 201 create, 200 read/update, 204 delete, 404 unknown, 409 stale version and duplicate slug.
import { api, expect, test, type ErrorBody, type List } from "../support/e2e";

type Row = { id: string; slug: string; name: string; version: number };

type Resource = {
  /** singular, for test names */
  what: string;
  collection: string;
  /** item URL of a created row (SLIs are addressed by id, everything else by slug) */
  item: (row: Row) => string;
  /** the item URL of something that does not exist */
  missing: string;
  create: Record<string, unknown>;
  /** a change to apply on update, checked on the response */
  change: Record<string, unknown>;
};

// Shared parents, created once: a team, a service and an SLI.
const TEAM = "e2e-api-team";
const SERVICE = "e2e-api-svc";
const SLI = "e2e-api-base-sli";
const availability = (service: string) => ({
  kind: "availability",
  metric: "http_requests_total",
  matchers: [{ label: "job", op: "=", value: "demo" }, { label: "service", op: "=", value: service }],
  errorMatchers: [{ label: "code", op: "=~", value: "5.." }],
});
const POLICY_STEPS = [
  { condition: { type: "budget_remaining", belowPercent: 0 }, action: "feature_freeze", note: "" },
  { condition: { type: "burn_rate", window: "1h", above: 14.4 }, action: "incident_response", note: "" },
];

const RESOURCES: Resource[] = [
  {
    what: "team",
    collection: "/api/v1/teams",
    item: (r) => `/api/v1/teams/${r.slug}`,
    missing: "/api/v1/teams/e2e-no-such-team",
    create: { slug: "e2e-api-crud-team", name: "E2E CRUD team", description: "created by the API suite" },
    change: { name: "E2E CRUD team (renamed)" },
  },
  {
    what: "service",
    collection: "/api/v1/services",
    item: (r) => `/api/v1/services/${r.slug}`,
    missing: "/api/v1/services/e2e-no-such-service",
    create: { slug: "e2e-api-crud-svc", name: "E2E CRUD service", team: TEAM, tier: "high", owner: "e2e@example.com", runbookUrl: "https://runbooks.example.com/e2e" },
    change: { tier: "critical", owner: "oncall@example.com" },
  },
  {
    what: "SLI",
    collection: "/api/v1/slis",
    item: (r) => `/api/v1/slis/${r.id}`,
    missing: "/api/v1/slis/e2e-no-such-sli-id",
    create: { slug: "e2e-api-crud-sli", name: "E2E CRUD SLI", service: SERVICE, spec: availability("search") },
    change: { name: "E2E CRUD SLI (renamed)", spec: { ...availability("search"), errorMatchers: [{ label: "code", op: "=~", value: "5..|429" }] } },
  },
  {
    what: "SLO",
    collection: "/api/v1/slos",
    item: (r) => `/api/v1/slos/${r.slug}`,
    missing: "/api/v1/slos/e2e-no-such-slo",
    create: { slug: "e2e-api-crud-slo", name: "E2E CRUD SLO", service: SERVICE, sli: SLI, objective: 99.5, window: "28d" },
    change: { objective: 99.25, window: "7d" },
  },
  {
    what: "error-budget policy",
    collection: "/api/v1/policies",
    item: (r) => `/api/v1/policies/${r.slug}`,
    missing: "/api/v1/policies/e2e-no-such-policy",
    create: { slug: "e2e-api-crud-policy", name: "E2E CRUD policy", team: TEAM, steps: POLICY_STEPS },
    change: { name: "E2E CRUD policy (renamed)", steps: POLICY_STEPS.slice(0, 1) },
  },
];

test.beforeAll(async ({ request }) => {
  const c = api(request);
  for (const [path, body] of [
    ["/api/v1/teams", { slug: TEAM, name: "E2E API team" }],
    ["/api/v1/services", { slug: SERVICE, name: "E2E API service", team: TEAM }],
    ["/api/v1/slis", { slug: SLI, name: "E2E API availability", service: SERVICE, spec: availability("search") }],
  ] as const) {
    const r = await c.post(path, body);
    // 409: a worker restarted after a failure finds them already there.
    expect([201, 409], `creating ${path} ${JSON.stringify(body)}: ${r.text}`).toContain(r.status);
  }
});

test.afterAll(async ({ request }) => {
  // Children first; a failed test may have left its row behind, so 404s are fine here.
  const c = api(request);
  for (const path of ["/api/v1/slos/e2e-api-crud-slo", "/api/v1/policies/e2e-api-crud-policy", "/api/v1/services/e2e-api-crud-svc", "/api/v1/teams/e2e-api-crud-team"]) await c.delete(path);
  const slis = await c.get<List<Row & { service: string }>>(`/api/v1/slis?service=${SERVICE}`);
  for (const s of slis.body.items ?? []) await c.delete(`/api/v1/slis/${s.id}`);
  for (const path of [`/api/v1/services/${SERVICE}`, `/api/v1/teams/${TEAM}`]) {
    const r = await c.delete(path);
    expect([204, 404], `cleanup ${path}: ${r.text}`).toContain(r.status);
  }
});

for (const r of RESOURCES) {
  test(`a ${r.what} can be created (201), read (200), listed, updated with its version (200) and deleted (204)`, async ({ request }) => {
    const c = api(request);
    const created = await c.post<Row>(r.collection, r.create);
    expect(created.status, created.text).toBe(201);
    expect(created.body).toMatchObject({ slug: r.create.slug, name: r.create.name, version: 1 });
    const url = r.item(created.body);

    await test.step("read it back with GET (200)", async () => {
      const got = await c.get<Row>(url);
      expect(got.status, got.text).toBe(200);
      expect(got.body).toMatchObject({ id: created.body.id, slug: r.create.slug, version: 1 });
    });

    await test.step("find it in the list", async () => {
      const list = await c.get<List<Row>>(r.collection);
      expect(list.status).toBe(200);
      expect(list.body.items.map((i) => i.id)).toContain(created.body.id);
    });

    const updated = await test.step("update it with the version it was read at (200, version 2)", async () => {
      const u = await c.put<Row>(url, { ...r.create, ...r.change, version: 1 });
      expect(u.status, u.text).toBe(200);
      expect(u.body).toMatchObject({ id: created.body.id, version: 2, ...r.change });
      return u.body;
    });

    await test.step("an update with the stale version 1 is a 409 conflict naming the current version", async () => {
      const stale = await c.put<ErrorBody>(url, { ...r.create, name: "lost update", version: 1 });
      expect(stale.status, stale.text).toBe(409);
      expect(stale.body.error.code).toBe("conflict");
      expect(stale.body.error.fields?.version).toContain("2");
      const still = await c.get<Row>(url);
      expect(still.body).toMatchObject({ version: 2, name: updated.name });
    });

    await test.step("creating another with the same slug is a 409 on slug", async () => {
      const dup = await c.post<ErrorBody>(r.collection, r.create);
      expect(dup.status, dup.text).toBe(409);
      expect(dup.body.error.code).toBe("conflict");
      expect(Object.keys(dup.body.error.fields ?? {})).toContain("slug");
      const list = await c.get<List<Row>>(r.collection);
      expect(list.body.items.filter((i) => i.slug === r.create.slug)).toHaveLength(1);
    });

    await test.step("delete it (204, empty body), after which it is a 404", async () => {
      const del = await c.delete(url);
      expect(del.status, del.text).toBe(204);
      expect(del.text).toBe("");
      const gone = await c.get<ErrorBody>(url);
      expect(gone.status).toBe(404);
      expect(gone.body.error.code).toBe("not_found");
      expect((await c.delete(url)).status).toBe(404);
      const list = await c.get<List<Row>>(r.collection);
      expect(list.body.items.map((i) => i.id)).not.toContain(created.body.id);
    });
  });

  test(`reading, updating or deleting a ${r.what} that does not exist is a 404`, async ({ request }) => {
    const c = api(request);
    const got = await c.get<ErrorBody>(r.missing);
    expect(got.status, got.text).toBe(404);
    expect(got.body.error.code).toBe("not_found");
    expect((await c.put(r.missing, { ...r.create, version: 1 })).status).toBe(404);
    expect((await c.delete(r.missing)).status).toBe(404);
  });
}

test("a team that still owns services cannot be deleted (409) and stays", async ({ request }) => {
  const c = api(request);
  const r = await c.delete<ErrorBody>(`/api/v1/teams/${TEAM}`);
  expect(r.status, r.text).toBe(409);
  expect(r.body.error.message).toContain("service");
  expect((await c.get(`/api/v1/teams/${TEAM}`)).status).toBe(200);
});

test("an SLI that an SLO uses cannot be deleted (409) and stays", async ({ request }) => {
  const c = api(request);
  const slo = await c.post("/api/v1/slos", { slug: "e2e-api-uses-sli", name: "E2E uses SLI", service: SERVICE, sli: SLI, objective: 99 });
  expect(slo.status, slo.text).toBe(201);
  try {
    const sli = (await c.get<List<Row>>(`/api/v1/slis?service=${SERVICE}`)).body.items.find((s) => s.slug === SLI);
    expect(sli, "the base SLI exists").toBeTruthy();
    const r = await c.delete<ErrorBody>(`/api/v1/slis/${sli?.id}`);
    expect(r.status, r.text).toBe(409);
    expect((await c.get(`/api/v1/slis/${sli?.id}`)).status).toBe(200);
  } finally {
    expect((await c.delete("/api/v1/slos/e2e-api-uses-sli")).status).toBe(204);
  }
});
