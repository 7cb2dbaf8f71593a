import { parse } from "yaml";
import { describe, expect, it } from "vitest";
import {
  alertBurnWindows,
  findPromqlSyntaxError,
  generateRuleFiles,
  generateRuleGroups,
  recordedWindows,
  scaledWorkbookWindows,
  secondsToDuration,
  SloGenerationError,
  SloSpecSchema,
  type AlertingRule,
  type RecordingRule,
  type SloBundle,
} from "../src/index";
import { caseNames, loadCase } from "./support/cases";

const OPTS = { version: "test" };
const d = secondsToDuration;

function bundle(over: Record<string, unknown> = {}): SloBundle {
  const c = loadCase("availability-30d");
  const b = c.bundles[0] as SloBundle;
  return { ...b, slo: SloSpecSchema.parse({ ...b.slo, ...over }) };
}

function windowsOf(period: number) {
  return scaledWorkbookWindows(period).map((w) => [w.severity, w.tier, d(w.longSeconds), d(w.shortSeconds), w.burnRate, d(w.forSeconds)]);
}

describe("burn-rate windows", () => {
  it("30d uses the SRE workbook table unchanged", () => {
    expect(windowsOf(30 * 86400)).toEqual([
      ["page", "fast", "1h", "5m", 14.4, "2m"],
      ["page", "medium", "6h", "30m", 6, "15m"],
      ["ticket", "slow", "1d", "2h", 3, "1h"],
      ["ticket", "long", "3d", "6h", 1, "3h"],
    ]);
  });

  it("28d scales windows by 28/30 and keeps the burn factors", () => {
    expect(windowsOf(28 * 86400)).toEqual([
      ["page", "fast", "56m", "5m", 14.4, "2m"],
      ["page", "medium", "5h36m", "28m", 6, "14m"],
      ["ticket", "slow", "22h24m", "1h52m", 3, "56m"],
      ["ticket", "long", "2d19h12m", "5h36m", 1, "2h48m"],
    ]);
  });

  it("7d clamps short windows to the 5m base", () => {
    expect(windowsOf(7 * 86400).map((w) => [w[2], w[3], w[4]])).toEqual([
      ["14m", "5m", 14.4],
      ["1h24m", "7m", 6],
      ["5h36m", "28m", 3],
      ["16h48m", "1h24m", 1],
    ]);
  });

  it("every scaled pair still consumes the workbook's budget fraction (2%, 5%, 10%, 10%)", () => {
    for (const days of [7, 28, 30]) {
      const period = days * 86400;
      expect(scaledWorkbookWindows(period).map((w) => Number(((w.burnRate * w.longSeconds) / period).toFixed(6)))).toEqual([0.02, 0.05, 0.1, 0.1]);
    }
  });

  it("page/ticket toggles and custom windows override the table", () => {
    const c = loadCase("extra-labels");
    const ws = alertBurnWindows((c.bundles[0] as SloBundle).slo);
    expect(ws.map((w) => [w.severity, w.tier, d(w.longSeconds), d(w.shortSeconds), w.burnRate, d(w.forSeconds)])).toEqual([
      ["page", "fast", "1h", "2m", 20, "2m"],
      ["page", "medium", "2h", "10m", 10, "5m"],
    ]);
    expect(alertBurnWindows(bundle({ alerting: { page: false } }).slo).map((w) => w.tier)).toEqual(["slow", "long"]);
  });

  it("records the standard windows for dashboards plus the scaled ones and the period", () => {
    expect(recordedWindows(bundle().slo).map(d)).toEqual(["5m", "30m", "1h", "2h", "6h", "1d", "3d", "30d"]);
    expect(recordedWindows(bundle({ window: "7d" }).slo).map(d)).toEqual(
      ["5m", "7m", "14m", "28m", "30m", "1h", "1h24m", "2h", "5h36m", "6h", "16h48m", "1d", "3d", "7d"],
    );
  });
});

describe("generateRuleGroups", () => {
  const allCases = caseNames().map(loadCase);

  it("every expression parses as PromQL", () => {
    for (const c of allCases) {
      for (const set of generateRuleGroups(c.bundles, c.options)) {
        for (const g of set.groups) for (const r of g.rules) expect(findPromqlSyntaxError(r.expr), `${c.name} ${g.name}: ${r.expr}`).toBeNull();
      }
    }
  });

  it("records the shared contract names with identity labels on every series", () => {
    const [set] = generateRuleGroups([bundle({ labels: { env: "prod" } })], OPTS);
    const rules = set?.groups.flatMap((g) => g.rules) ?? [];
    const records = new Set(rules.filter((r): r is RecordingRule => "record" in r).map((r) => r.record));
    for (const n of ["slo:sli_error:rate5m", "slo:sli_total:rate5m", "slo:sli_error:ratio", "slo:burn_rate", "slo:objective:ratio", "slo:error_budget:ratio", "slo:period:seconds", "slo:error_budget_remaining:ratio", "slo:sli_total:period", "slo:info"]) {
      expect(records.has(n), n).toBe(true);
    }
    for (const r of rules) {
      expect(r.labels).toMatchObject({ slo: "checkout-availability", service: "checkout", team: "payments", tier: "critical", env: "prod" });
      expect(Object.keys(r.labels)).toEqual([...Object.keys(r.labels)].sort());
    }
    const info = rules.find((r) => "record" in r && r.record === "slo:info");
    expect(info?.labels).toMatchObject({ name: "Checkout availability", objective: "99.9", slo_period: "30d" });
  });

  it("derives windows above 5m from the recorded base rates on a fixed time grid, never from raw long-range rates", () => {
    const [set] = generateRuleGroups([bundle()], OPTS);
    const derived = set?.groups.filter((g) => !g.name.endsWith("-sli") && !g.name.endsWith("-alerts")).flatMap((g) => g.rules) ?? [];
    expect(derived.length).toBeGreaterThan(10);
    for (const r of derived) expect(r.expr).not.toMatch(/http_requests_total|\brate\(/);
    const h1 = derived.find((r) => "record" in r && r.labels.slo_window === "1h" && r.record === "slo:sli_error:ratio");
    expect(h1?.expr).toBe(
      'sum by (slo) (sum_over_time(slo:sli_error:rate5m{slo="checkout-availability"}[1h:1m])) / sum by (slo) (sum_over_time(slo:sli_total:rate5m{slo="checkout-availability"}[1h:1m]))',
    );
    const period = derived.find((r) => "record" in r && r.labels.slo_window === "30d" && r.record === "slo:sli_error:ratio");
    expect(period?.expr).toContain("[30d:5m]");
  });

  it("puts evaluation intervals in separate, slug-named groups", () => {
    const [set] = generateRuleGroups([bundle()], OPTS);
    expect(set?.groups.map((g) => [g.name, g.interval])).toEqual([
      ["slo-checkout-availability-sli", "30s"],
      ["slo-checkout-availability-windows", "1m"],
      ["slo-checkout-availability-long", "5m"],
      ["slo-checkout-availability-alerts", "1m"],
    ]);
  });

  it("adds the minEvents guard only when set, on the long window", () => {
    const alerts = (over: Record<string, unknown>) =>
      (generateRuleGroups([bundle(over)], OPTS)[0]?.groups.flatMap((g) => g.rules) ?? []).filter((r): r is AlertingRule => "alert" in r && r.alert === "SLOErrorBudgetBurn");
    expect(alerts({}).every((a) => !a.expr.includes(">= "))).toBe(true);
    const guarded = alerts({ alerting: { minEvents: 500 } });
    // Events counted on the long window's time grid (as slo:sli_total:period counts them).
    expect(guarded[0]?.expr).toContain('sum by (slo) (sum_over_time(slo:sli_total:rate5m{slo="checkout-availability"}[1h:1m])) * 60 >= 500');
    expect(guarded[3]?.expr).toContain("[3d:5m])) * 300 >= 500");
  });

  it("generates no alert group when alerting is disabled", () => {
    const [set] = generateRuleGroups([bundle({ alerting: { enabled: false } })], OPTS);
    expect(set?.groups.map((g) => g.name)).not.toContain("slo-checkout-availability-alerts");
  });

  it("escapes hostile text for Go templates and PromQL and keeps YAML intact", () => {
    const c = loadCase("hostile-text");
    const files = generateRuleFiles(c.bundles, c.options);
    const file = files.find((f) => f.path === "slo-evil-availability.yml");
    const doc = parse(file?.content ?? "") as { groups: Array<{ rules: Array<Record<string, unknown>> }> };
    const rules = doc.groups.flatMap((g) => g.rules);
    const alert = rules.find((r) => r.alert === "SLOErrorBudgetBurn") as { annotations: Record<string, string>; labels: Record<string, string> };
    expect(alert.annotations.summary).toContain('SLO "Checkout "API" {{ "{{" }} .Labels {{ "}}" }} 100% {{ "}}" }} {{ "{{" }} $value"');
    expect(alert.annotations.description).toContain('sum(rate(x[5m])) or vector(1) } ]] {{ "{{" }} template "x" . {{ "}}" }}\n# not a comment: yes');
    expect(alert.labels.note).toBe('{{ "{{" }} .Value {{ "}}" }} "q" \\ back');
    const info = rules.find((r) => r.record === "slo:info") as { labels: Record<string, string> };
    expect(info.labels.name).toBe('Checkout "API" {{ .Labels }} 100% }} {{ $value'); // recording labels are not templated
    const base = rules.find((r) => r.record === "slo:sli_total:rate5m") as { expr: string };
    expect(base.expr).toBe('sum(rate(http_requests_total{path=~"/api/\\"quoted\\"/.*",service="evil\\\\svc"}[5m]))');
  });

  it("is deterministic: input order and label order do not change the output", () => {
    const c = loadCase("custom-min-events");
    const a = generateRuleFiles(c.bundles, c.options);
    const b = generateRuleFiles([...c.bundles].reverse(), c.options);
    expect(b).toEqual(a);
    const l1 = generateRuleFiles([bundle({ labels: { a: "1", z: "2" } })], OPTS);
    const l2 = generateRuleFiles([bundle({ labels: { z: "2", a: "1" } })], OPTS);
    expect(l2).toEqual(l1);
    expect(a[0]?.content.startsWith("# Code generated by Burnrate (test). DO NOT EDIT.\n")).toBe(true);
  });

  it("rejects reserved user labels, duplicate slugs and mismatched bundles with a path", () => {
    expect(() => generateRuleGroups([bundle({ labels: { team: "x" } })], OPTS)).toThrow(SloGenerationError);
    expect(() => generateRuleGroups([bundle({ labels: { team: "x" } })], OPTS)).toThrow("slos[0].labels.team");
    expect(() => generateRuleGroups([bundle(), bundle()], OPTS)).toThrow("slos[1].slug: duplicate SLO slug");
    const b = bundle();
    expect(() => generateRuleGroups([{ ...b, service: { ...b.service, slug: "other" } }], OPTS)).toThrow("slos[0].service");
    expect(() =>
      generateRuleGroups([bundle({ alerting: { windows: [{ severity: "page", longWindow: "1h", shortWindow: "5m", burnRate: 2 }, { severity: "page", longWindow: "1h", shortWindow: "5m", burnRate: 3 }] } })], OPTS),
    ).toThrow("alerting.windows");
  });

  it("uses raw SLI queries for custom windows shorter than the 5m base", () => {
    const c = loadCase("extra-labels");
    const [set] = generateRuleGroups(c.bundles, c.options);
    const r = set?.groups[0]?.rules.find((x) => "record" in x && x.labels.slo_window === "2m" && x.record === "slo:sli_error:ratio");
    expect(r?.expr).toContain("[2m]");
    expect(r?.expr).toContain("http_requests_total");
  });

  it("emits the infrastructure health alerts", () => {
    const sets = generateRuleGroups([bundle()], OPTS);
    const infra = sets.find((s) => s.path === "burnrate-infrastructure.yml");
    const names = infra?.groups[0]?.rules.map((r) => ("alert" in r ? r.alert : "")) ?? [];
    for (const n of ["ServiceDown", "TargetDown", "PrometheusRuleEvaluationFailures", "PrometheusConfigReloadFailed", "AlertmanagerNotificationsFailing", "PrometheusHighMemory"]) {
      expect(names).toContain(n);
    }
    expect(generateRuleGroups([bundle()], { ...OPTS, infrastructure: { enabled: false } }).map((s) => s.path)).toEqual(["slo-checkout-availability.yml"]);
  });
});
