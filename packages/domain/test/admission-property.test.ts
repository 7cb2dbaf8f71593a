import fc from "fast-check";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import {
  admitSlo,
  admitSloBundle,
  generateAlertmanagerConfig,
  generateRuleFiles,
  goldenSignalTemplate,
  goRegexpError,
  promqlString,
  type ServiceSpec,
  type SloBundle,
  type SloSpecInput,
  type TeamSpec,
} from "../src/index";
import { caseNames, loadCase } from "./support/cases";
import { AMTOOL, PROMTOOL, run } from "./support/tools";

/**
 * The gate against the real tools: whatever it admits, promtool and amtool accept; whatever it
 * refuses names a field. Sample size: BURNRATE_PROPERTY_RUNS (default 2000); seed:
 * BURNRATE_PROPERTY_SEED to replay a run (default: a fixed seed, so `npm test` checks the same
 * specs at any hour; `BURNRATE_PROPERTY_SEED=random` explores new ones and prints the seed to replay).
 */
const RUNS = Number(process.env.BURNRATE_PROPERTY_RUNS ?? 2000);
const SEED = process.env.BURNRATE_PROPERTY_SEED === "random" ? Math.floor(Math.random() * 2_147_483_647) : Number(process.env.BURNRATE_PROPERTY_SEED ?? 20_261_204);

const dir = mkdtempSync(join(tmpdir(), "burnrate-admission-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

// ---- arbitraries ----
const REGEX_TOKENS = [
  "a", "b", "5", "\\", "(", ")", "(?:", "(?i)", "(?P<n>", "(?<n>", "(?=", "|", "*", "+", "?", "{", "}", "2", "1000", "1001", ",",
  "[", "]", "^", "-", ":", "[:alpha:]", "\\d", "\\pL", "\\p{Greek}", "\\p{Kawi}", "\\x", "4", "F", "{1}", "$", ".", "\\b", "\\Q",
  "\\E", "0", "é", "\"", "'", "`", "\n", "_", "\\z", "\\Z", "\\1", "\\u0041", "..", ".*", ".+",
];
const regexArb = fc.array(fc.constantFrom(...REGEX_TOKENS), { minLength: 0, maxLength: 8 }).map((t) => t.join(""));
const HOSTILE = ["{{", "}}", "{{ .Value }}", "$labels", "\"", "'", "\\", "\n", "\r\n", "\t", "\u0000", "\u2028", "---", "*a", "&a", "#", ": ", "- ", "%", "é", "😀", "\ud800", "\u00a0", " ", "`"];
const rawHostileArb = fc.oneof(
  fc.string({ maxLength: 12 }),
  fc.array(fc.oneof(fc.constantFrom(...HOSTILE), fc.string({ maxLength: 3 })), { maxLength: 6 }).map((p) => p.join("")),
);
/** Mostly plain text, sometimes hostile (a lone surrogate anywhere refuses the whole spec). */
const hostileArb = fc.oneof({ arbitrary: fc.constantFrom("", "checkout", "Checkout API", "p99 < 300ms"), weight: 3 }, { arbitrary: rawHostileArb, weight: 2 });
const validRegexArb = fc.constantFrom("5..", "api|web", ".*", "(?i)get", "[[:alpha:]]+", "\\pL+", "(?P<c>4|5)..", "/api/.+\\z", "");
const LABEL_NAMES = ["job", "code", "le", "path", "_x", "a1", "severity", "team", "slo", "__name__", "1bad", "ok_label", "name", "tier"];
const VALID_LABELS = ["job", "code", "path", "_x", "a1", "ok_label", "env"];
const labelNameArb = fc.oneof({ arbitrary: fc.constantFrom(...VALID_LABELS), weight: 4 }, { arbitrary: fc.constantFrom(...LABEL_NAMES), weight: 1 });
const matcherArb = fc.record({
  label: labelNameArb,
  op: fc.constantFrom("=", "!=", "=~", "!~"),
  value: fc.oneof({ arbitrary: validRegexArb, weight: 3 }, { arbitrary: regexArb, weight: 2 }, { arbitrary: hostileArb, weight: 2 }),
});
const METRICS = ["http_requests_total", "http_request_duration_seconds", "grpc_server_handled_total", "ns:metric"];
const metricArb = fc.oneof({ arbitrary: fc.constantFrom(...METRICS), weight: 6 }, { arbitrary: fc.constantFrom("1bad", "x_bucket", "", "a-b"), weight: 1 });
const QUERY_TEMPLATES = [
  "sum(rate(http_requests_total{code=~$RE}[{{.window}}]))",
  "sum(rate(http_requests_total[{{.window}}]))",
  "sum(increase(errors_total{job=$STR}[{{.window}}]))",
  "rate(errors_total[{{ .window }}])",
  "sum(rate(errors_total))",
  "sum(errors_total[{{.window}}])",
  'sum(rate(errors_total{w="{{.window}}"}[5m]))',
  "histogram_quantile(0.9, sum by (le) (rate(x_bucket[{{.window}}])))",
  "sum(rate(http_requests_total{code=~\"5\\d\\d\"}[{{.window}}]))",
  "sum(rate(x{a=~$RE, b!~$RE}[{{.window}}])) or vector(0)",
  "sum_over_time(up{job=$STR}[{{.window}}])",
  "sort_by_label(rate(x[{{.window}}]))",
  "limitk(1, rate(x[{{.window}}]))",
  "count(up{job=~$RE} == 0)",
  "sum(rate(x[{{.window}}] offset 1m))",
];
const SATURATION_TEMPLATES = ["max(container_memory_usage_bytes{pod=~$RE})", "container_memory_usage_bytes", "avg(rate(cpu_seconds_total[5m]))", "max by (pod) (x)", "sum(x{a=$STR}) / sum(y)", "scalar(x)", "vector(1)"];
const fill = (t: string, re: string, str: string) => t.replaceAll("$RE", promqlString(re)).replaceAll("$STR", promqlString(str));
const queryArb = fc.tuple(fc.constantFrom(...QUERY_TEMPLATES), fc.oneof(validRegexArb, regexArb), hostileArb).map(([t, re, s]) => fill(t, re, s));

const sliArb = fc.oneof(
  fc.record({ kind: fc.constant("availability"), metric: metricArb, matchers: fc.array(matcherArb, { maxLength: 3 }), errorMatchers: fc.array(matcherArb, { minLength: 1, maxLength: 2 }) }),
  fc.record({ kind: fc.constant("latency"), metric: metricArb, matchers: fc.array(matcherArb, { maxLength: 3 }), thresholdSeconds: fc.oneof(fc.constantFrom(0.1, 0.25, 1, 2.5, 3600, 1e-7), fc.double({ min: 1e-6, max: 3600, noNaN: true })) }),
  fc.record({ kind: fc.constant("throughput"), metric: metricArb, matchers: fc.array(matcherArb, { maxLength: 3 }), minPerSecond: fc.oneof(fc.constantFrom(1, 0.01, 1e21), fc.double({ min: 1e-9, max: 1e9, noNaN: true })) }),
  fc.record({ kind: fc.constant("saturation"), query: fc.tuple(fc.constantFrom(...SATURATION_TEMPLATES), regexArb, hostileArb).map(([t, re, s]) => fill(t, re, s)), threshold: fc.oneof(fc.constantFrom(0.9, -1, 0, 1e21), fc.double({ noNaN: true, noDefaultInfinity: true })) }),
  fc.record({ kind: fc.constant("custom"), errorQuery: queryArb, totalQuery: queryArb }),
  fc.record({ kind: fc.constant("custom"), goodQuery: queryArb, totalQuery: queryArb }),
);

const DURATIONS = ["1m", "5m", "30m", "1h", "2h", "6h", "1d", "3d", "7d", "30d", "31d", "30s", "0m", "1h30m", "30m1h", "5m5m", "1500ms", "2w", "90m"];
const windowArb = fc.record({
  severity: fc.constantFrom("page", "ticket"),
  longWindow: fc.constantFrom(...DURATIONS),
  shortWindow: fc.constantFrom(...DURATIONS),
  burnRate: fc.oneof(fc.constantFrom(14.4, 6, 3, 1, 0.5, 100, 1000), fc.double({ min: 0.01, max: 10000, noNaN: true })),
  for: fc.constantFrom(...DURATIONS),
});
const objectiveArb = fc.oneof(fc.constantFrom(99.9, 99.99, 99.5, 99, 95, 93.06, 93.07, 93, 90, 75, 50.5, 99.999999), fc.double({ min: 50.01, max: 99.9999, noNaN: true }).map((v) => Math.round(v * 1e4) / 1e4), fc.constantFrom(50, 100, 99.1234567));
const labelsArb = fc.dictionary(labelNameArb, hostileArb, { maxKeys: 3 });

const sloArb = fc.record({
  name: fc.oneof({ arbitrary: fc.constant("Checkout availability"), weight: 3 }, { arbitrary: hostileArb, weight: 1 }),
  description: hostileArb,
  sli: sliArb,
  objective: objectiveArb,
  window: fc.constantFrom("7d", "28d", "30d", "calendar-month"),
  budgetingMethod: fc.constantFrom("occurrences", "timeslices"),
  alerting: fc.record({
    enabled: fc.boolean(),
    page: fc.boolean(),
    ticket: fc.boolean(),
    windows: fc.option(fc.array(windowArb, { minLength: 1, maxLength: 3 }), { nil: undefined, freq: 2 }),
    minEvents: fc.constantFrom(0, 10),
    runbookUrl: fc.constantFrom(undefined, "", "https://runbooks.example.com/checkout", "https://x.example.com/{{ .Labels }}"),
  }),
  labels: labelsArb,
});

const team: TeamSpec = { slug: "payments", name: "Payments {{ team }}", description: "" };
const service: ServiceSpec = { slug: "checkout", name: "Checkout \"svc\"", team: "payments", tier: "critical", description: "", owner: "", runbookUrl: "", repoUrl: "", labels: {} };

type Outcome = { admitted: SloBundle[]; refused: number; files: string[] };

function admitAll(specs: ReadonlyArray<Omit<SloSpecInput, "slug" | "service">>): Outcome {
  const out: Outcome = { admitted: [], refused: 0, files: [] };
  specs.forEach((s, i) => {
    const input = { ...s, slug: `slo-${i}`, service: service.slug };
    const r = admitSlo(input);
    if (!r.ok) {
      out.refused++;
      if (process.env.BURNRATE_PROPERTY_DEBUG) console.log("REFUSED", r.errors[0]?.field.replace(/\d+/g, "N"), "|", r.errors[0]?.message.slice(0, 60));
      expect(r.errors.length).toBeGreaterThan(0);
      for (const e of r.errors) {
        expect(e.field, JSON.stringify(e)).toMatch(/^[A-Za-z_][\w.]*$/);
        expect(e.field).not.toBe("_");
        expect(e.message.length).toBeGreaterThan(0);
      }
      return;
    }
    const bundle: SloBundle = { slo: r.value, service, team };
    expect(admitSloBundle(bundle).ok).toBe(true);
    // Whatever the gate admits, the generator generates (it runs the gate again as its last check).
    const files = generateRuleFiles([bundle], { version: "0.0.0-property", infrastructure: { enabled: false } });
    for (const f of files) {
      const p = join(dir, `${i}-${f.path}`);
      writeFileSync(p, f.content);
      out.files.push(p);
    }
    out.admitted.push(bundle);
  });
  return out;
}

/** promtool over many files per call; returns the files it refused with its message. */
async function promtoolRefusals(files: string[]): Promise<string[]> {
  const refused: string[] = [];
  for (let i = 0; i < files.length; i += 400) {
    const chunk = files.slice(i, i + 400);
    const r = await run(PROMTOOL, ["check", "rules", ...chunk]);
    if (r.code !== 0) refused.push(...(r.stdout + r.stderr).split("\n").filter((l) => /FAILED|error/i.test(l)).slice(0, 20));
  }
  return refused;
}

describe(`admission gate against promtool and amtool (${RUNS} specs, seed ${SEED})`, () => {
  it("admitted specs pass promtool check rules and amtool check-config; refusals name a field", async () => {
    const specs = fc.sample(sloArb, { numRuns: RUNS, seed: SEED }) as unknown as Array<Omit<SloSpecInput, "slug" | "service">>;
    const out = admitAll(specs);
    const promtool = await promtoolRefusals(out.files);
    // Alertmanager: one config per batch of admitted SLOs.
    const am = join(dir, "alertmanager.yml");
    writeFileSync(am, generateAlertmanagerConfig({ teams: [team], receivers: [], slos: out.admitted }, { version: "0.0.0-property", defaultWebhookUrl: "http://127.0.0.1:9/hook" }));
    const amtool = await run(AMTOOL, ["check-config", am]);
    console.log(`[admission property] seed ${SEED}: ${specs.length} specs, ${out.admitted.length} admitted, ${out.refused} refused, ${out.files.length} rule files checked by promtool (${promtool.length} refused), amtool ${amtool.code === 0 ? "accepted" : "refused"} the config`);
    expect(promtool, promtool.join("\n")).toEqual([]);
    expect(amtool.code, amtool.stdout + amtool.stderr).toBe(0);
    // The sample must exercise both sides.
    expect(out.admitted.length).toBeGreaterThan(RUNS / 20);
    expect(out.refused).toBeGreaterThan(RUNS / 20);
  }, 240_000);

  it("regex checker agrees with promtool on random patterns", async () => {
    const patterns = fc.sample(regexArb, { numRuns: Math.max(300, RUNS / 2), seed: SEED });
    const files = patterns.map((p, i) => {
      const f = join(dir, `re-${i}.yml`);
      writeFileSync(f, `groups:\n- name: g\n  rules:\n  - record: r\n    expr: ${JSON.stringify(`up{a=~${promqlString(p)}}`)}\n`);
      return f;
    });
    const refusedByTool = new Set<number>();
    for (let i = 0; i < files.length; i += 400) {
      const r = await run(PROMTOOL, ["check", "rules", ...files.slice(i, i + 400)]);
      for (const m of (r.stdout + r.stderr).matchAll(/re-(\d+)\.yml: /g)) refusedByTool.add(Number(m[1]));
    }
    const disagreements = patterns.filter((p, i) => (goRegexpError(p) !== null) !== refusedByTool.has(i));
    console.log(`[admission property] regexes: ${patterns.length} patterns, promtool refused ${refusedByTool.size}, disagreements ${disagreements.length}`);
    expect(disagreements).toEqual([]);
  }, 120_000);

  it("never refuses the corpus of valid inputs (templates, fixtures)", () => {
    const corpus: unknown[] = [];
    for (const s of ["errors", "latency", "traffic", "saturation"] as const) {
      for (const matchers of [[], [{ label: "job", op: "=~" as const, value: "(?i)api|web" }], [{ label: "path", op: "!~" as const, value: "/health\\z" }]]) {
        corpus.push({ slug: `tpl-${s}`, name: s, service: "checkout", objective: 99.5, sli: goldenSignalTemplate(s, { metric: "http_requests_total", matchers }) });
      }
    }
    for (const n of caseNames()) for (const b of loadCase(n).bundles) corpus.push(b.slo);
    for (const input of corpus) {
      const r = admitSlo(input);
      expect(r.ok, JSON.stringify(r.ok ? null : r.errors)).toBe(true);
    }
  });
});
