// The admission gate at the API: one case per class of input that Prometheus 2.42, Alertmanager or
// the generator would refuse. Each is a 422 naming the field, and a refused create stores nothing.
// Go regex syntax that JavaScript lacks is admitted, and low-objective default tiers come back as
// warnings instead of a refusal.
import { api, expect, test, type ErrorBody, type List } from "../support/e2e";

const availability = (errorRegex: string, matchers: { label: string; op: string; value: string }[] = []) => ({
  kind: "availability",
  metric: "http_requests_total",
  matchers: [{ label: "job", op: "=", value: "demo" }, { label: "service", op: "=", value: "search" }, ...matchers],
  errorMatchers: [{ label: "code", op: "=~", value: errorRegex }],
});
const TOTAL = 'sum(rate(http_requests_total{job="demo",service="search"}[{{.window}}]))';
const custom = (errorQuery: string) => ({ kind: "custom", errorQuery, totalQuery: TOTAL });
const sli = (slug: string, spec: unknown) => ({ slug, name: slug, service: "search", spec });
const slo = (slug: string, extra: Record<string, unknown>) => ({ slug, name: slug, service: "search", sli: "availability", objective: 99.5, window: "28d", ...extra });
const win = (w: Record<string, unknown>) => ({ severity: "page", longWindow: "1h", shortWindow: "5m", burnRate: 14.4, for: "2m", ...w });

/**
 * `status`/`code` default to 422 validation_failed. Invalid Unicode never reaches the gate over JSON:
 * the body check refuses it first with 400 bad_request, naming the field (the gate still refuses it
 * for importers and the CLI).
 */
type Case = { title: string; list: string; post: string; body: unknown; field: string; message: RegExp; status?: number; code?: string };

const CASES: Case[] = [
  // Regexes with Go's syntax, as Prometheus compiles them.
  { title: "a lookahead in an error matcher", list: "/api/v1/slis?service=search", post: "/api/v1/slis", body: sli("e2e-lookahead", availability("5(?!04)..")), field: "spec.errorMatchers.0.value", message: /invalid or unsupported Perl syntax: `\(\?!`/ },
  { title: "a repeat count over 1000 in a label matcher", list: "/api/v1/slis?service=search", post: "/api/v1/slis", body: sli("e2e-repeat", availability("5..", [{ label: "path", op: "=~", value: "/a{1001}" }])), field: "spec.matchers.2.value", message: /invalid repeat count/ },
  { title: "a named group (?<n>…), which Go 1.19 refuses", list: "/api/v1/slis?service=search", post: "/api/v1/slis", body: sli("e2e-named", availability("(?<class>5)..")), field: "spec.errorMatchers.0.value", message: /`\(\?<`/ },
  { title: "a backreference", list: "/api/v1/slis?service=search", post: "/api/v1/slis", body: sli("e2e-backref", availability("(5)\\1.")), field: "spec.errorMatchers.0.value", message: /invalid escape sequence: `\\1`/ },
  // PromQL beyond syntax.
  { title: 'a PromQL string escape the lexer refuses ("\\d")', list: "/api/v1/slis?service=search", post: "/api/v1/slis", body: sli("e2e-escape", custom('sum(rate(http_requests_total{code=~"5\\d\\d"}[{{.window}}]))')), field: "spec.errorQuery", message: /unknown escape sequence U\+0064 'd'/ },
  { title: "rate() over an instant vector", list: "/api/v1/slis?service=search", post: "/api/v1/slis", body: sli("e2e-types", custom('sum(rate(http_requests_total{code=~"5..",w="{{.window}}"}))')), field: "spec.errorQuery", message: /expected type range vector in call to function "rate", got instant vector/ },
  { title: "{{.window}} outside a range", list: "/api/v1/slis?service=search", post: "/api/v1/slis", body: sli("e2e-window", custom('sum(rate(http_requests_total{code=~"5..",w="{{.window}}"}[5m]))')), field: "spec.errorQuery", message: /must stand for a range/ },
  { title: "a saturation query returning many series", list: "/api/v1/slis?service=search", post: "/api/v1/slis", body: sli("e2e-series", { kind: "saturation", query: "process_resident_memory_bytes", threshold: 1e9 }), field: "spec.query", message: /single series/ },
  // SLO labels and alert windows.
  { title: "a reserved label", list: "/api/v1/slos", post: "/api/v1/slos", body: slo("e2e-reserved", { labels: { severity: "low" } }), field: "labels.severity", message: /set by Burnrate/ },
  { title: "a short window as long as the long window", list: "/api/v1/slos", post: "/api/v1/slos", body: slo("e2e-short", { alerting: { windows: [win({ shortWindow: "1h" })] } }), field: "alerting.windows.0.shortWindow", message: /shorter than the long window/ },
  { title: "a long window beyond the SLO period", list: "/api/v1/slos", post: "/api/v1/slos", body: slo("e2e-long", { window: "7d", alerting: { windows: [win({ longWindow: "8d", shortWindow: "6h", burnRate: 1, for: "1h" })] } }), field: "alerting.windows.0.longWindow", message: /longer than the SLO period \(7d\)/ },
  { title: "a for: as long as the long window", list: "/api/v1/slos", post: "/api/v1/slos", body: slo("e2e-for", { alerting: { windows: [win({ for: "1h" })] } }), field: "alerting.windows.0.for", message: /shorter than the long window/ },
  { title: "a burn rate whose threshold needs more than 100% errors", list: "/api/v1/slos", post: "/api/v1/slos", body: slo("e2e-burn", { objective: 95, alerting: { windows: [win({ burnRate: 20 })] } }), field: "alerting.windows.0.burnRate", message: /can never fire/ },
  { title: "two alerts on the same windows", list: "/api/v1/slos", post: "/api/v1/slos", body: slo("e2e-dup", { alerting: { windows: [win({}), win({ burnRate: 10 })] } }), field: "alerting.windows.1.longWindow", message: /already uses page 1h\/5m/ },
  // Other entities.
  { title: "a policy burn-rate window Prometheus cannot parse", list: "/api/v1/policies", post: "/api/v1/policies", body: { slug: "e2e-policy-window", name: "Bad window", team: "discovery", steps: [{ condition: { type: "burn_rate", window: "30m1h", above: 2 }, action: "page" }] }, field: "steps.0.condition.window", message: /Prometheus duration/ },
  { title: "a service name with a lone surrogate (invalid UTF-8)", list: "/api/v1/services", post: "/api/v1/services", body: { slug: "e2e-utf8", name: "Bad \ud800 name", team: "discovery" }, field: "name", message: /valid Unicode/, status: 400, code: "bad_request" },
];

for (const c of CASES) {
  test(`${c.title} is a ${c.status ?? 422} naming ${c.field}, and nothing is stored`, async ({ request }) => {
    const client = api(request);
    const ids = async () => {
      const l = await client.get<List<{ id: string }>>(c.list);
      expect(l.status, l.text).toBe(200);
      return l.body.items.map((i) => i.id).sort();
    };
    const before = await ids();
    const r = await client.post<ErrorBody>(c.post, c.body);
    expect(r.status, r.text).toBe(c.status ?? 422);
    expect(r.body.error.code).toBe(c.code ?? "validation_failed");
    expect(Object.keys(r.body.error.fields ?? {}), r.text).toContain(c.field);
    expect(r.body.error.fields?.[c.field], r.text).toMatch(c.message);
    expect(r.body.error.message).toContain(c.field);
    expect(await ids(), "the list is unchanged after the refused create").toEqual(before);
  });
}

test("an update with a refused regex is a 422 and leaves the SLI as it was", async ({ request }) => {
  const client = api(request);
  const list = await client.get<List<{ id: string; slug: string; version: number; spec: unknown; name: string }>>("/api/v1/slis?service=search");
  const cur = list.body.items.find((s) => s.slug === "availability");
  expect(cur, list.text).toBeDefined();
  if (!cur) return;
  const r = await client.put<ErrorBody>(`/api/v1/slis/${cur.id}`, { ...sli("availability", availability("5..(?=x)")), name: cur.name, version: cur.version });
  expect(r.status, r.text).toBe(422);
  expect(r.body.error.fields?.["spec.errorMatchers.0.value"]).toMatch(/unsupported Perl syntax/);
  const after = await client.get<{ version: number; spec: unknown }>(`/api/v1/slis/${cur.id}`);
  expect(after.body.version).toBe(cur.version);
  expect(after.body.spec).toEqual(cur.spec);
});

test("Go syntax JavaScript lacks is admitted, and default tiers that cannot fire come back as warnings", async ({ request }) => {
  const client = api(request);
  const s = await client.post<{ id: string }>("/api/v1/slis", sli("e2e-go-syntax", availability("(?i)5\\d\\d|[[:digit:]]{3}\\z")));
  expect(s.status, s.text).toBe(201);
  try {
    const o = await client.post<{ slug: string; warnings: { field: string; message: string }[] }>("/api/v1/slos", { ...slo("e2e-low-objective", { objective: 93, window: "30d" }), sli: "e2e-go-syntax" });
    expect(o.status, o.text).toBe(201);
    expect(o.body.warnings.map((w) => w.message).join("\n")).toMatch(/14.4× over 1h can never fire at 93%/);
    const rules = await client.get<{ content?: string; generated?: string }>("/api/v1/slos/e2e-low-objective/rules");
    expect(rules.status, rules.text).toBe(200);
    expect(rules.text).not.toMatch(/burn_tier: fast/);
    expect(rules.text).toMatch(/burn_tier: medium/);
    expect((await client.delete("/api/v1/slos/e2e-low-objective")).status).toBe(204);
  } finally {
    await client.delete(`/api/v1/slis/${s.body.id}`);
  }
});

const slothDoc = (errorQuery: string) =>
  [
    'version: "prometheus/v1"',
    "service: search",
    "labels: { team: discovery }",
    "slos:",
    "  - name: e2e-imported",
    "    objective: 99",
    "    sli:",
    "      events:",
    `        error_query: ${JSON.stringify(errorQuery)}`,
    `        total_query: ${JSON.stringify(TOTAL)}`,
    "",
  ].join("\n");

test("imports pass the gate, and an SLI slug taken by another definition is a conflict in the plan, never reused", async ({ request }) => {
  const client = api(request);
  const importYaml = (text: string, apply: boolean) => request.post(`/api/v1/import?format=sloth${apply ? "&apply=1" : ""}`, { data: Buffer.from(text), headers: { "content-type": "application/yaml" } });
  // A regex Go refuses inside an imported query: a problem in the plan, and a 422 on apply.
  const badDoc = slothDoc('sum(rate(http_requests_total{job="demo",service="search",code=~"5(?=0)."}[{{.window}}]))');
  const checked = await importYaml(badDoc, false);
  expect(checked.status(), await checked.text()).toBe(200);
  expect((await checked.json()) as unknown).toMatchObject({ problems: [{ path: "slos[0].sli.errorQuery", message: expect.stringMatching(/unsupported Perl syntax/) }] });
  const bad = await importYaml(badDoc, true);
  expect(bad.status(), await bad.text()).toBe(422);
  expect((await client.get("/api/v1/slos/search-e2e-imported")).status).toBe(404);
  // An SLI with the slug the import would use, but another definition.
  const taken = await client.post<{ id: string }>("/api/v1/slis", sli("search-e2e-imported", availability("5..")));
  expect(taken.status, taken.text).toBe(201);
  try {
    const doc = slothDoc('sum(rate(http_requests_total{job="demo",service="search",code=~"5.."}[{{.window}}]))');
    const plan = await importYaml(doc, false);
    expect(plan.status(), await plan.text()).toBe(200);
    const body = (await plan.json()) as { plan: { slug: string; action: string; sli: { slug: string; action: string } }[] };
    expect(body.plan).toEqual([expect.objectContaining({ slug: "search-e2e-imported", action: "create", sli: expect.objectContaining({ slug: "search-e2e-imported", action: "conflict" }) })]);
    const applied = await importYaml(doc, true);
    expect(applied.status(), await applied.text()).toBe(409);
    expect((await client.get("/api/v1/slos/search-e2e-imported")).status).toBe(404);
  } finally {
    await client.delete(`/api/v1/slis/${taken.body.id}`);
  }
});
