/**
 * Generation benchmark: time to generate rule files for 1k and 10k SLOs, rules per SLO.
 * Also writes the inputs of eval-cost.mjs (generated and naive rule sets for a few SLOs) to
 * $BURNRATE_BENCH_DIR (default: <tmpdir>/burnrate-bench).
 *
 *   npx tsx bench/generate.ts
 */
import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { stringify } from "yaml";
import {
  generateRuleFiles,
  generateRuleGroups,
  recordedWindows,
  secondsToDuration,
  ServiceSpecSchema,
  sliQueries,
  sloLabels,
  SloSpecSchema,
  TeamSpecSchema,
  type SloBundle,
} from "../src/index";

const SERVICES = ["checkout", "payments", "search", "auth"];
const WINDOWS = ["7d", "28d", "30d", "calendar-month"] as const;
const OBJECTIVES = [99, 99.5, 99.9, 99.95];
const METHODS = [null, "GET", "POST"] as const;

/** Deterministic synthetic SLOs spread over services, periods, objectives and matchers. */
export function benchBundles(n: number, periods: readonly (typeof WINDOWS)[number][] = WINDOWS): SloBundle[] {
  const out: SloBundle[] = [];
  for (let i = 0; i < n; i++) {
    const svc = SERVICES[i % SERVICES.length] as string;
    const method = METHODS[Math.floor(i / SERVICES.length) % METHODS.length] ?? null;
    const team = TeamSpecSchema.parse({ slug: `team-${svc}`, name: `Team ${svc}` });
    const service = ServiceSpecSchema.parse({ slug: svc, name: svc, team: team.slug, tier: "high" });
    const matchers = [{ label: "service", op: "=", value: svc }, ...(method ? [{ label: "method", op: "=", value: method }] : [])];
    const slo = SloSpecSchema.parse({
      slug: `${svc}-slo-${i}`,
      name: `${svc} SLO ${i}`,
      service: svc,
      objective: OBJECTIVES[i % OBJECTIVES.length],
      window: periods[i % periods.length],
      sli: { kind: "availability", metric: "http_requests_total", matchers, errorMatchers: [{ label: "code", op: "=~", value: "5.." }] },
      alerting: { minEvents: i % 2 === 0 ? 0 : 100 },
    });
    out.push({ slo, service, team });
  }
  return out;
}

/**
 * Median wall and CPU time (all threads, GC helpers included) of `runs` runs: the bench machine is
 * shared and single runs are noisy. Only the last result is kept, and only after timing, so a run
 * never has an earlier run's output alive.
 */
function median<T>(runs: number, fn: () => T): { ms: number; cpu: number; result: T } {
  const ms: number[] = [];
  const cpu: number[] = [];
  const box: { result?: T } = {};
  for (let i = 0; i < runs; i++) {
    delete box.result;
    const c0 = process.cpuUsage();
    const t0 = performance.now();
    const r = fn();
    ms.push(performance.now() - t0);
    const c = process.cpuUsage(c0);
    cpu.push((c.user + c.system) / 1000);
    box.result = r;
  }
  const mid = (xs: number[]) => xs.sort((x, y) => x - y)[Math.floor(runs / 2)] as number;
  return { ms: mid(ms), cpu: mid(cpu), result: box.result as T };
}

type Timing = { ms: number; cpu: number };

function timeIt(n: number): { files: Timing; groups: Timing; fileCount: number; rules: number; bytes: number } {
  const bundles = benchBundles(n);
  const opts = { version: "bench" };
  generateRuleFiles(bundles.slice(0, 50), opts); // warm up the JIT
  generateRuleGroups(bundles.slice(0, 50), opts);
  const files = median(3, () => generateRuleFiles(bundles, opts));
  const fileCount = files.result.length;
  const bytes = files.result.reduce((a, f) => a + f.content.length, 0);
  files.result = [];
  const groups = median(3, () => generateRuleGroups(bundles, opts));
  const rules = groups.result.filter((s) => s.slo).reduce((a, s) => a + s.groups.reduce((b, g) => b + g.rules.length, 0), 0);
  return { files, groups, fileCount, rules, bytes };
}

console.log("Rule generation (median of 3 runs, wall / CPU; SLOs mixed over 7d/28d/30d/calendar-month):");
const fmt = (t: Timing) => `${t.ms.toFixed(0).padStart(5)} ms / ${t.cpu.toFixed(0).padStart(5)} ms`;
for (const n of [1000, 10000]) {
  const r = timeIt(n);
  console.log(
    `  ${String(n).padStart(6)} SLOs: generateRuleFiles ${fmt(r.files)}, generateRuleGroups ${fmt(r.groups)}; ` +
      `${r.fileCount} files, ${(r.bytes / 1e6).toFixed(1)} MB, ${(r.rules / n).toFixed(1)} rules per SLO (${r.rules} rules)`,
  );
}
for (const period of ["30d", "7d"] as const) {
  const [set] = generateRuleGroups(benchBundles(1, [period]), { version: "bench" });
  const rules = set?.groups.flatMap((g) => g.rules) ?? [];
  const rec = rules.filter((r) => "record" in r).length;
  console.log(`  rules per ${period} SLO: ${rules.length} (${rec} recording, ${rules.length - rec} alerting)`);
}

// Inputs for eval-cost.mjs: a few 30d SLOs, generated rules vs a naive per-window rule set.
const dir = process.env.BURNRATE_BENCH_DIR ?? join(tmpdir(), "burnrate-bench");
const evalSlos = Number(process.env.BURNRATE_BENCH_SLOS ?? 24);
rmSync(dir, { recursive: true, force: true });
mkdirSync(join(dir, "generated"), { recursive: true });
mkdirSync(join(dir, "naive"), { recursive: true });
const bundles = benchBundles(evalSlos, ["30d"]);
// Short intervals so a benchmark run sees several evaluations; eval-cost normalises to production ones.
const intervals = { sli: "5s", windows: "10s", long: "20s", alerts: "10s", infrastructure: "1m" };
for (const f of generateRuleFiles(bundles, { version: "bench", intervals, infrastructure: { enabled: false } })) {
  writeFileSync(join(dir, "generated", f.path), f.content);
}
for (const b of bundles) {
  const labels = sloLabels(b);
  const budget = Number(((100 - b.slo.objective) / 100).toPrecision(12));
  const rules: Record<string, unknown>[] = recordedWindows(b.slo).map((s) => {
    const w = secondsToDuration(s);
    const q = sliQueries(b.slo.sli, w);
    return { record: "slo:sli_error:ratio", expr: `(${q.errors}) / (${q.total})`, labels: { ...labels, slo_window: w } };
  });
  const pairs: Array<[string, string, number]> = [["1h", "5m", 14.4], ["6h", "30m", 6], ["1d", "2h", 3], ["3d", "6h", 1]];
  for (const [long, short, f] of pairs) {
    const sel = (w: string) => `slo:sli_error:ratio{slo="${b.slo.slug}",slo_window="${w}"}`;
    rules.push({ alert: "SLOErrorBudgetBurn", expr: `${sel(long)} > ${f * budget} and ignoring (slo_window) ${sel(short)} > ${f * budget}`, labels: { severity: "page" } });
  }
  writeFileSync(join(dir, "naive", `slo-${b.slo.slug}.yml`), stringify({ groups: [{ name: `naive-${b.slo.slug}`, interval: "5s", rules }] }));
}
writeFileSync(
  join(dir, "manifest.json"),
  JSON.stringify(
    {
      services: SERVICES,
      slos: bundles.map((b) => ({
        labels: sloLabels(b),
        service: b.service.slug,
        method: b.slo.sli.kind === "availability" ? (b.slo.sli.matchers.find((m) => m.label === "method")?.value ?? null) : null,
      })),
      measuredIntervals: { generated: { sli: 5, windows: 10, long: 20, alerts: 10 }, naive: 5 },
      productionIntervals: { generated: { sli: 30, windows: 60, long: 300, alerts: 60 }, naive: 30 },
    },
    null,
    2,
  ),
);
console.log(`Wrote eval-cost inputs for ${evalSlos} SLOs to ${dir}`);
