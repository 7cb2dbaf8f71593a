// Bad input is refused with the right status and a field-level error, and a refused create stores
// nothing: the collection's list is the same before and after.
import { api, expect, test, type ErrorBody, type List } from "../support/e2e";

const searchAvailability = {
  kind: "availability",
  metric: "http_requests_total",
  matchers: [{ label: "job", op: "=", value: "demo" }, { label: "service", op: "=", value: "search" }],
  errorMatchers: [{ label: "code", op: "=~", value: "5.." }],
};
const TOTAL = 'sum(rate(http_requests_total{job="demo",service="search"}[{{.window}}]))';
/** A comma is missing before `code`: the parser stops at column 58, where `code=~…` starts. */
const MISSING_COMMA = 'sum(rate(http_requests_total{job="demo",service="search" code=~"5.."}[{{.window}}]))';

type Case = {
  title: string;
  /** list whose content must not change */
  list: string;
  post: string;
  body?: unknown;
  raw?: { text: string; contentType: string };
  status: 400 | 422;
  code: "bad_request" | "validation_failed";
  /** the field the error names, and what its message says */
  field?: string;
  message: RegExp;
};

const CASES: Case[] = [
  {
    title: "an SLO objective of 100.5% is a 422 naming objective",
    list: "/api/v1/slos",
    post: "/api/v1/slos",
    body: { slug: "e2e-bad-objective", name: "Bad objective", service: "search", sli: "availability", objective: 100.5 },
    status: 422,
    code: "validation_failed",
    field: "objective",
    message: /less than 100/,
  },
  {
    title: "an objective given as a string is a 422 naming objective",
    list: "/api/v1/slos",
    post: "/api/v1/slos",
    body: { slug: "e2e-string-objective", name: "String objective", service: "search", sli: "availability", objective: "99.9" },
    status: 422,
    code: "validation_failed",
    field: "objective",
    message: /number/,
  },
  {
    title: "a custom SLI with unparsable PromQL is a 422 naming spec.errorQuery with the line and column",
    list: "/api/v1/slis?service=search",
    post: "/api/v1/slis",
    body: { slug: "e2e-bad-promql", name: "Bad PromQL", service: "search", spec: { kind: "custom", errorQuery: MISSING_COMMA, totalQuery: TOTAL } },
    status: 422,
    code: "validation_failed",
    field: "spec.errorQuery",
    message: /invalid PromQL: unexpected "code=~.*" at line 1, column 58/,
  },
  {
    title: "a custom SLI query without {{.window}} is a 422 naming spec.totalQuery",
    list: "/api/v1/slis?service=search",
    post: "/api/v1/slis",
    body: { slug: "e2e-no-window", name: "No window", service: "search", spec: { kind: "custom", errorQuery: TOTAL.replace("search", "x"), totalQuery: "sum(rate(http_requests_total[5m]))" } },
    status: 422,
    code: "validation_failed",
    field: "spec.totalQuery",
    message: /\{\{\.window\}\}/,
  },
  {
    title: "a team slug with capitals and spaces is a 422 naming slug",
    list: "/api/v1/teams",
    post: "/api/v1/teams",
    body: { slug: "Bad Slug", name: "Bad slug" },
    status: 422,
    code: "validation_failed",
    field: "slug",
    message: /lowercase letters, digits and dashes/,
  },
  {
    title: "a service slug ending in a dash is a 422 naming slug",
    list: "/api/v1/services",
    post: "/api/v1/services",
    body: { slug: "bad-", name: "Bad slug", team: "payments" },
    status: 422,
    code: "validation_failed",
    field: "slug",
    message: /lowercase letters, digits and dashes/,
  },
  {
    title: "a service of an unknown team is a 422 naming team",
    list: "/api/v1/services",
    post: "/api/v1/services",
    body: { slug: "e2e-orphan-svc", name: "Orphan", team: "e2e-no-such-team" },
    status: 422,
    code: "validation_failed",
    field: "team",
    message: /team "e2e-no-such-team" does not exist/,
  },
  {
    title: "an SLI of an unknown service is a 422 naming service",
    list: "/api/v1/slis",
    post: "/api/v1/slis",
    body: { slug: "e2e-orphan-sli", name: "Orphan", service: "e2e-no-such-service", spec: searchAvailability },
    status: 422,
    code: "validation_failed",
    field: "service",
    message: /service "e2e-no-such-service" does not exist/,
  },
  {
    title: "an SLO of an unknown service is a 422 naming service",
    list: "/api/v1/slos",
    post: "/api/v1/slos",
    body: { slug: "e2e-orphan-slo", name: "Orphan", service: "e2e-no-such-service", sli: "availability", objective: 99 },
    status: 422,
    code: "validation_failed",
    field: "service",
    message: /service "e2e-no-such-service" does not exist/,
  },
  {
    title: "an SLO naming an SLI its service does not have is a 422 naming sli",
    list: "/api/v1/slos",
    post: "/api/v1/slos",
    body: { slug: "e2e-wrong-sli", name: "Wrong SLI", service: "search", sli: "e2e-no-such-sli", objective: 99 },
    status: 422,
    code: "validation_failed",
    field: "sli",
    message: /has no SLI "e2e-no-such-sli"/,
  },
  {
    title: "an SLO naming an unknown policy is a 422 naming policy",
    list: "/api/v1/slos",
    post: "/api/v1/slos",
    body: { slug: "e2e-wrong-policy", name: "Wrong policy", service: "search", sli: "availability", objective: 99, policy: "e2e-no-such-policy" },
    status: 422,
    code: "validation_failed",
    field: "policy",
    message: /policy "e2e-no-such-policy" does not exist/,
  },
  {
    title: "a policy without steps is a 422 naming steps",
    list: "/api/v1/policies",
    post: "/api/v1/policies",
    body: { slug: "e2e-empty-policy", name: "Empty", team: "payments", steps: [] },
    status: 422,
    code: "validation_failed",
    field: "steps",
    message: /at least one step/,
  },
  {
    title: "malformed JSON is a 400",
    list: "/api/v1/teams",
    post: "/api/v1/teams",
    raw: { text: '{"slug": "e2e-malformed", "name": ', contentType: "application/json" },
    status: 400,
    code: "bad_request",
    message: /not valid JSON/,
  },
  {
    title: "a JSON body sent as text/plain is a 400",
    list: "/api/v1/teams",
    post: "/api/v1/teams",
    raw: { text: '{"slug": "e2e-wrong-type", "name": "Wrong type"}', contentType: "text/plain" },
    status: 400,
    code: "bad_request",
    message: /Content-Type must be application\/json/,
  },
  {
    title: "a form-encoded body is a 400",
    list: "/api/v1/services",
    post: "/api/v1/services",
    raw: { text: "slug=e2e-form&name=Form&team=payments", contentType: "application/x-www-form-urlencoded" },
    status: 400,
    code: "bad_request",
    message: /Content-Type must be application\/json/,
  },
];

for (const c of CASES) {
  test(`${c.title}, and nothing is stored`, async ({ request }) => {
    const client = api(request);
    const ids = async () => {
      const l = await client.get<List<{ id: string }>>(c.list);
      expect(l.status, l.text).toBe(200);
      return l.body.items.map((i) => i.id).sort();
    };
    const before = await ids();
    const r = c.raw ? await client.raw<ErrorBody>("POST", c.post, c.raw.text, c.raw.contentType) : await client.post<ErrorBody>(c.post, c.body);
    expect(r.status, r.text).toBe(c.status);
    expect(r.body.error.code).toBe(c.code);
    if (c.field) {
      expect(r.body.error.fields, `error.fields of ${r.text}`).toBeDefined();
      expect(Object.keys(r.body.error.fields ?? {}), r.text).toContain(c.field);
      expect(r.body.error.fields?.[c.field]).toMatch(c.message);
      // The summary message names the field too, for curl users.
      expect(r.body.error.message).toContain(c.field);
    } else {
      expect(r.body.error.message).toMatch(c.message);
    }
    expect(await ids(), "the list is unchanged after the refused create").toEqual(before);
  });
}

test("the reported PromQL column points at the offending token in the query as typed", async ({ request }) => {
  const r = await api(request).post<ErrorBody>("/api/v1/slis", { slug: "e2e-bad-promql-col", name: "Bad PromQL", service: "search", spec: { kind: "custom", errorQuery: MISSING_COMMA, totalQuery: TOTAL } });
  expect(r.status).toBe(422);
  const m = /unexpected "(.+)" at line 1, column (\d+)/.exec(r.body.error.fields?.["spec.errorQuery"] ?? "");
  expect(m, r.text).not.toBeNull();
  const [, near, col] = m as RegExpExecArray;
  expect(MISSING_COMMA.slice(Number(col) - 1).startsWith(near ?? "?")).toBe(true);
});

test("an error after {{.window}} is reported at its column in the query as typed", async ({ request }) => {
  // Placeholders are replaced by a duration of the same length before parsing, so positions match.
  const query = `${TOTAL} +`;
  const r = await api(request).post<ErrorBody>("/api/v1/slis", { slug: "e2e-bad-promql-end", name: "Bad PromQL", service: "search", spec: { kind: "custom", errorQuery: query, totalQuery: TOTAL } });
  expect(r.status).toBe(422);
  expect(r.body.error.fields?.["spec.errorQuery"]).toContain(`unexpected end of expression at line 1, column ${query.length + 1}`);
});

test("an update with a bad objective is a 422 and leaves the SLO as it was", async ({ request }) => {
  const client = api(request);
  const before = await client.get<{ objective: number; version: number } & Record<string, unknown>>("/api/v1/slos/search-availability");
  expect(before.status).toBe(200);
  const r = await client.put<ErrorBody>("/api/v1/slos/search-availability", { ...before.body, objective: 100.5, version: before.body.version });
  expect(r.status, r.text).toBe(422);
  expect(r.body.error.fields?.objective).toMatch(/less than 100/);
  const after = await client.get<{ objective: number; version: number }>("/api/v1/slos/search-availability");
  expect(after.body).toMatchObject({ objective: before.body.objective, version: before.body.version });
});

test("an update without a version is a 422 naming version", async ({ request }) => {
  const r = await api(request).put<ErrorBody>("/api/v1/teams/payments", { slug: "payments", name: "Payments" });
  expect(r.status, r.text).toBe(422);
  expect(Object.keys(r.body.error.fields ?? {})).toContain("version");
});
