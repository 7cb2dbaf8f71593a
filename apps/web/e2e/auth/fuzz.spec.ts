import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { expect, test } from "@playwright/test";
import { call, uniq } from "./support";

/**
 * Hostile and malformed input at every write endpoint (as an administrator, so authorization is
 * not what rejects it). Every answer must be a 4xx with a clear message or a success that stores
 * the value faithfully; never a 5xx; a rejected request writes nothing; and whatever was accepted
 * still generates rule files that promtool accepts.
 */

const HOSTILE: { name: string; value: unknown }[] = [
  { name: "empty", value: "" },
  { name: "spaces", value: "   " },
  { name: "huge string", value: "x".repeat(200_000) },
  { name: "long string", value: "y".repeat(5_000) },
  { name: "unicode", value: "Zahlungsdienst 💥 ünïcødé 日本語" },
  { name: "quotes", value: `it's "quoted" \\ back\\slash` },
  { name: "newlines", value: "line1\nline2\r\n- item: injected\n  key: value" },
  { name: "go template", value: "{{ .Labels.secret }} {{ range . }}x{{ end }}" },
  { name: "promql fragment", value: 'x"}[5m])) or vector(1) # ' },
  { name: "yaml document", value: "---\ngroups: []\n..." },
  { name: "sql", value: "'; DROP TABLE \"Slo\"; --" },
  { name: "control characters", value: "a\u0000b\u0007c\u001b[31m" },
  { name: "html", value: "<script>alert(1)</script>" },
  { name: "null", value: null },
  { name: "number", value: 12345 },
  { name: "array", value: ["a", "b"] },
  { name: "object", value: { nested: { deep: true } } },
  { name: "boolean", value: true },
];

type Endpoint = { name: string; path: string; base: () => Record<string, unknown>; fields: string[]; list: string; key: (b: Record<string, unknown>) => string; remove: (created: Record<string, unknown>) => string };

const availability = { kind: "availability", metric: "http_requests_total", matchers: [{ label: "service", op: "=", value: "checkout" }], errorMatchers: [{ label: "code", op: "=~", value: "5.." }] };

const ENDPOINTS: Endpoint[] = [
  { name: "teams", path: "/api/v1/teams", base: () => ({ slug: uniq("fz"), name: "Fuzz team", description: "" }), fields: ["slug", "name", "description"], list: "/api/v1/teams", key: (b) => String(b.slug), remove: (c) => `/api/v1/teams/${String(c.slug)}` },
  { name: "services", path: "/api/v1/services", base: () => ({ slug: uniq("fz"), name: "Fuzz service", team: "payments", tier: "low", owner: "", runbookUrl: "", repoUrl: "", labels: {} }), fields: ["slug", "name", "team", "tier", "owner", "runbookUrl", "labels"], list: "/api/v1/services", key: (b) => String(b.slug), remove: (c) => `/api/v1/services/${String(c.slug)}` },
  { name: "slis", path: "/api/v1/slis", base: () => ({ slug: uniq("fz"), name: "Fuzz SLI", service: "checkout", spec: availability }), fields: ["slug", "name", "service", "spec", "spec.metric", "spec.errorQuery"], list: "/api/v1/slis", key: (b) => String(b.slug), remove: (c) => `/api/v1/slis/${String(c.id)}` },
  { name: "custom slis", path: "/api/v1/slis", base: () => ({ slug: uniq("fz"), name: "Fuzz custom", service: "checkout", spec: { kind: "custom", errorQuery: 'sum(rate(http_requests_total{code=~"5.."}[{{.window}}]))', totalQuery: "sum(rate(http_requests_total[{{.window}}]))" } }), fields: ["spec.errorQuery", "spec.totalQuery"], list: "/api/v1/slis", key: (b) => String(b.slug), remove: (c) => `/api/v1/slis/${String(c.id)}` },
  { name: "slos", path: "/api/v1/slos", base: () => ({ slug: uniq("fz"), name: "Fuzz SLO", description: "", service: "checkout", sli: "availability", objective: 99.5, window: "30d", labels: {} }), fields: ["slug", "name", "description", "objective", "window", "labels", "alerting", "policy"], list: "/api/v1/slos", key: (b) => String(b.slug), remove: (c) => `/api/v1/slos/${String(c.slug)}` },
  { name: "policies", path: "/api/v1/policies", base: () => ({ slug: uniq("fz"), name: "Fuzz policy", team: "payments", steps: [{ condition: { type: "burn_rate", window: "1h", above: 14.4 }, action: "page", note: "" }] }), fields: ["name", "steps", "steps.0.note", "steps.0.condition.window"], list: "/api/v1/policies", key: (b) => String(b.slug), remove: (c) => `/api/v1/policies/${String(c.slug)}` },
  { name: "receivers", path: "/api/v1/receivers", base: () => ({ slug: uniq("fz"), name: "Fuzz receiver", team: "payments", severities: ["page"], config: { kind: "webhook", url: "http://127.0.0.1:9/hook", sendResolved: true } }), fields: ["name", "config.url", "severities", "config"], list: "/api/v1/receivers", key: (b) => String(b.slug), remove: (c) => `/api/v1/receivers/${String(c.slug)}` },
  { name: "targets", path: "/api/v1/targets", base: () => ({ name: uniq("fz"), kind: "prometheus", url: "http://127.0.0.1:9", mode: "file", settings: { rulesDir: "/nonexistent/fuzz" }, enabled: false }), fields: ["name", "url", "settings.rulesDir", "token", "kind"], list: "/api/v1/targets", key: (b) => String(b.name), remove: (c) => `/api/v1/targets/${String(c.id)}` },
  { name: "deployments", path: "/api/v1/deployments", base: () => ({ service: "checkout", sha: "0123456789abcdef0123456789abcdef01234567", result: "success", finishedAt: new Date().toISOString(), externalId: uniq("fz") }), fields: ["service", "sha", "finishedAt", "version", "commits"], list: "/api/v1/deployments", key: (b) => String(b.externalId), remove: () => "" },
  { name: "incidents", path: "/api/v1/incidents", base: () => ({ service: "checkout", title: "Fuzz incident", severity: "ticket", openedAt: new Date().toISOString(), resolvedAt: new Date().toISOString() }), fields: ["title", "service", "openedAt"], list: "/api/v1/incidents", key: (b) => String(b.title), remove: () => "" },
  // Users cannot be deleted (they are disabled), so accepted fuzz users stay; remove() is "".
  { name: "users", path: "/api/v1/users", base: () => ({ email: `${uniq("fz")}@example.com`, name: "Fuzz user", password: "correct horse battery staple", isAdmin: false, memberships: [] }), fields: ["email", "name", "password", "memberships", "isAdmin"], list: "/api/v1/users", key: (b) => String(b.email), remove: () => "" },
];

function setPath(obj: Record<string, unknown>, path: string, value: unknown): Record<string, unknown> {
  const copy = JSON.parse(JSON.stringify(obj)) as Record<string, unknown>;
  const parts = path.split(".");
  let cur: Record<string, unknown> = copy;
  for (const p of parts.slice(0, -1)) {
    if (typeof cur[p] !== "object" || cur[p] === null) cur[p] = {};
    cur = cur[p] as Record<string, unknown>;
  }
  cur[parts[parts.length - 1] ?? ""] = value;
  return copy;
}

async function count(request: Parameters<typeof call>[0], path: string): Promise<number> {
  const r = await call(request, "admin", "GET", path);
  return ((r.body as { items?: unknown[] }).items ?? []).length;
}

test.describe("hostile input at every endpoint", () => {
  test.setTimeout(360_000);

  test("never a 5xx, always a clear 4xx or a faithful store, and nothing half-written", async ({ request }) => {
    const problems: string[] = [];
    const createdSlos: string[] = [];
    for (const ep of ENDPOINTS) {
      const trackable = ep.name !== "deployments" && ep.name !== "incidents";
      for (const field of ep.fields) {
        for (const h of HOSTILE) {
          const before = trackable ? await count(request, ep.list) : 0;
          const body = setPath(ep.base(), field, h.value);
          const r = await call(request, "admin", "POST", ep.path, body);
          const label = `${ep.name}.${field} = ${h.name}: HTTP ${r.status} ${r.text.slice(0, 140)}`;
          if (r.status >= 500) problems.push(`5xx: ${label}`);
          else if (r.status >= 400) {
            if (typeof r.body.error?.message !== "string" || r.body.error.message.length < 5) problems.push(`no clear message: ${label}`);
            if (trackable && (await count(request, ep.list)) !== before) problems.push(`rejected but written: ${label}`);
          } else if (r.status === 201) {
            // Accepted: the value must round-trip exactly where it is echoed back.
            const top = field.split(".")[0] ?? "";
            if (typeof h.value === "string" && field === top && top in r.body && top !== "token" && r.body[top] !== (h.value as string).trim() && r.body[top] !== h.value) {
              problems.push(`stored differently: ${label} → ${JSON.stringify(r.body[top]).slice(0, 80)}`);
            }
            if (ep.name === "slos") createdSlos.push(String(r.body.slug));
            else if (trackable && ep.remove(r.body)) await call(request, "admin", "DELETE", ep.remove(r.body));
          }
        }
      }
    }

    // Whole-body malformations.
    for (const ep of ENDPOINTS) {
      for (const [name, raw, ct] of [
        ["not json", "{not json", "application/json"],
        ["json array", "[1,2,3]", "application/json"],
        ["json string", '"hello"', "application/json"],
        ["deep nesting", `${"[".repeat(5000)}${"]".repeat(5000)}`, "application/json"],
        ["oversized", JSON.stringify({ name: "z".repeat(400_000) }), "application/json"],
        ["form encoded", "slug=a&name=b", "application/x-www-form-urlencoded"],
      ] as const) {
        const r = await call(request, "admin", "POST", ep.path, raw, ct);
        if (r.status >= 500 || r.status < 400) problems.push(`${ep.name} with ${name}: HTTP ${r.status} ${r.text.slice(0, 120)}`);
        else if (!r.body.error?.message) problems.push(`${ep.name} with ${name}: no error message`);
      }
    }

    // Webhooks with hostile bodies (unknown integration ids and bad payloads).
    for (const [path, body] of [
      ["/api/v1/webhooks/alertmanager", { version: "4", alerts: [{ status: "firing", labels: { slo: "{{ .x }}", severity: "page", service: "no-such-service" }, startsAt: "not a date" }] }],
      ["/api/v1/webhooks/alertmanager", { alerts: "nope" }],
      ["/api/v1/webhooks/github/does-not-exist", { deployment_status: { state: "success" } }],
      ["/api/v1/webhooks/gitlab/does-not-exist", { object_kind: "deployment" }],
    ] as const) {
      const r = await call(request, "anonymous", "POST", path, body);
      if (r.status >= 500) problems.push(`${path}: HTTP ${r.status} ${r.text.slice(0, 120)}`);
    }

    // Imports, exports, revisions and webhooks with hostile input: a clear 4xx, never a 5xx.
    const laughs = ["a: &a [x, x, x, x, x, x, x, x, x]", ...Array.from({ length: 12 }, (_, i) => `${String.fromCharCode(98 + i)}: &${String.fromCharCode(98 + i)} [${Array(9).fill(`*${String.fromCharCode(97 + i)}`).join(", ")}]`)].join("\n");
    for (const [name, path, body, ct] of [
      ["import alias bomb", "/api/v1/import?format=openslo", laughs, "application/yaml"],
      ["import deep nesting", "/api/v1/import?format=sloth", `${"[".repeat(100_000)}${"]".repeat(100_000)}`, "application/yaml"],
      ["import compact sequences", "/api/v1/import?format=openslo", `${"- ".repeat(20_000)}x`, "application/yaml"],
      ["import binary", "/api/v1/import?format=openslo", "\u0001\u0002\uFFFE: \u001b[31m", "application/yaml"],
      ["import unknown format", "/api/v1/import?format=%00", "a: b", "application/yaml"],
      ["lone surrogate in JSON", "/api/v1/services", '{"slug":"lone-sur","name":"\\ud800","team":"payments"}', "application/json"],
    ] as const) {
      const r = await call(request, "admin", "POST", path, body, ct);
      if (r.status >= 500 || r.status < 400) problems.push(`${name}: HTTP ${r.status} ${r.text.slice(0, 120)}`);
    }
    for (const path of ["/api/v1/export?format=%00", "/api/v1/export?format=openslo&team=%00", "/api/v1/revisions/%00", "/api/v1/revisions?target=%00", "/api/v1/slos?team=%00"]) {
      const r = await call(request, "viewer", "GET", path);
      if (r.status >= 500) problems.push(`GET ${path}: HTTP ${r.status} ${r.text.slice(0, 120)}`);
    }

    // Whatever hostile text was accepted into SLOs still renders into valid rule files.
    const dir = mkdtempSync(join(tmpdir(), "burnrate-fuzz-"));
    try {
      for (const slug of createdSlos) {
        const r = await call(request, "admin", "GET", `/api/v1/slos/${slug}/rules`);
        if (r.status !== 200) {
          problems.push(`rules preview for accepted SLO ${slug}: HTTP ${r.status} ${r.text.slice(0, 120)}`);
          continue;
        }
        const file = join(dir, `${slug}.yml`);
        writeFileSync(file, String((r.body as { desired: string }).desired));
        const check = spawnSync("/usr/bin/promtool", ["check", "rules", file], { encoding: "utf8" });
        if (check.status !== 0) problems.push(`promtool rejects rules of accepted SLO ${slug}: ${check.stderr.slice(0, 300)}`);
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
      for (const slug of createdSlos) await call(request, "admin", "DELETE", `/api/v1/slos/${slug}`);
    }
    expect(createdSlos.length, "some hostile-but-legal SLO names must be accepted (unicode, quotes, templates)").toBeGreaterThan(0);
    expect(problems, problems.join("\n")).toEqual([]);
  });
});
