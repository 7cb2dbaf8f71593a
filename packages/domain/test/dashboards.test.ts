import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import {
  dashboardJson,
  type Dashboard,
  dashboardContentHash,
  dashboardExpressions,
  dashboardUid,
  doraDashboard,
  findPromqlSyntaxError,
  goldenSignalsDashboard,
  metricNamesInExpr,
  RULE_NAMES,
  recordedWindows,
  secondsToDuration,
  SLO_DASHBOARD_LONG_WINDOWS,
  sloDashboardBurnWindows,
  sloDashboardPeriodWindow,
  SloSpecSchema,
  readDashboardStamp,
  type SloDashboardBundle,
  serviceSloDashboard,
  sloOverviewDashboard,
  stampDashboard,
  substituteGrafanaVariables,
} from "../src/index";

const here = dirname(fileURLToPath(import.meta.url));
const GOLDEN_DIR = join(here, "..", "testdata", "dashboards");
const UPDATE = process.env.UPDATE_GOLDEN === "1";

const bundles: SloDashboardBundle[] = [
  { slo: { slug: "checkout-availability", name: "Checkout availability", service: "checkout", objective: 99.9, window: "30d" }, team: "shop", tier: "critical" },
  {
    slo: {
      slug: "checkout-latency",
      name: "Checkout latency < 300ms",
      service: "checkout",
      objective: 99,
      window: "28d",
      alerting: {
        windows: [
          { severity: "page", longWindow: "1h", shortWindow: "5m", burnRate: 14.4 },
          { severity: "ticket", longWindow: "3d", shortWindow: "6h", burnRate: 1 },
        ],
      },
    },
    team: "shop",
    tier: "high",
  },
  { slo: { slug: "payments-availability", name: "Payments \"API\" availability", service: "payments", objective: 99.95, window: "7d" }, team: "payments", tier: "critical" },
];

const cases: Array<[string, () => Dashboard]> = [
  ["slo-overview", () => sloOverviewDashboard(bundles)],
  ["slo-svc-checkout", () => serviceSloDashboard("checkout", bundles)],
  ["slo-svc-payments", () => serviceSloDashboard("payments", bundles, { datasourceUid: "mimir", tags: ["prod"] })],
  ["slo-svc-search-empty", () => serviceSloDashboard("search", bundles)],
  ["golden-checkout", () => goldenSignalsDashboard("checkout", { team: "shop" })],
  ["dora", () => doraDashboard()],
];

/** Shared recording-rule names from docs/contracts.md, plus Prometheus's ALERTS series. */
const SHARED_RULES = new Set([
  "slo:sli_error:rate5m",
  "slo:sli_total:rate5m",
  "slo:sli_error:ratio",
  "slo:burn_rate",
  "slo:objective:ratio",
  "slo:error_budget:ratio",
  "slo:period:seconds",
  "slo:error_budget_remaining:ratio",
  "slo:sli_total:period",
  "slo:sli_coverage:period_seconds",
  "slo:info",
  "ALERTS",
]);

describe("dashboard golden files", () => {
  for (const [name, build] of cases) {
    it(`${name} matches testdata/dashboards/${name}.json`, () => {
      const file = join(GOLDEN_DIR, `${name}.json`);
      const actual = dashboardJson(build());
      if (UPDATE || !existsSync(file)) {
        if (!UPDATE) throw new Error(`missing golden file ${file}; run with UPDATE_GOLDEN=1`);
        mkdirSync(GOLDEN_DIR, { recursive: true });
        writeFileSync(file, actual);
      }
      expect(actual).toBe(readFileSync(file, "utf8"));
    });
  }
});

describe("dashboard queries", () => {
  for (const [name, build] of cases) {
    it(`${name}: every PromQL expression parses`, () => {
      const exprs = dashboardExpressions(build());
      expect(exprs.length).toBeGreaterThan(0);
      const bad = exprs
        .map((e) => ({ ...e, err: findPromqlSyntaxError(substituteGrafanaVariables(e.expr)) }))
        .filter((e) => e.err !== null)
        .map((e) => `${e.where}: ${e.err?.message} in ${e.expr}`);
      expect(bad).toEqual([]);
    });
  }

  for (const [name, build] of cases.filter(([n]) => n.startsWith("slo-"))) {
    it(`${name}: reads only shared recording rules`, () => {
      const used = dashboardExpressions(build()).flatMap((e) => metricNamesInExpr(substituteGrafanaVariables(e.expr)));
      expect(used.length).toBeGreaterThan(0);
      expect(used.filter((m) => !SHARED_RULES.has(m))).toEqual([]);
    });
  }

  it("golden signals read only the demo HTTP metrics", () => {
    const used = new Set(dashboardExpressions(goldenSignalsDashboard("checkout")).flatMap((e) => metricNamesInExpr(substituteGrafanaVariables(e.expr))));
    expect([...used].sort()).toEqual([
      "http_request_duration_seconds_bucket",
      "http_request_duration_seconds_count",
      "http_request_duration_seconds_sum",
      "http_requests_total",
    ]);
  });

  it("DORA reads only Burnrate's deployment metrics", () => {
    const used = new Set(dashboardExpressions(doraDashboard()).flatMap((e) => metricNamesInExpr(substituteGrafanaVariables(e.expr))));
    expect([...used].sort()).toEqual([
      "burnrate_change_lead_time_seconds_bucket",
      "burnrate_deployments_failed_total",
      "burnrate_deployments_total",
      "burnrate_time_to_restore_seconds_bucket",
    ]);
  });

  it("substitutes Grafana variables", () => {
    expect(substituteGrafanaVariables('rate(x{a=~"$team",b="${service}"}[$__rate_interval]) / ($__range_s) + y[$__range]')).toBe(
      'rate(x{a=~"sample",b="sample"}[5m]) / (86400) + y[1d]',
    );
    expect(findPromqlSyntaxError(substituteGrafanaVariables("sum(rate(x[$__rate_interval]"))).not.toBeNull();
  });

  it("escapes user-controlled label values in matchers", () => {
    const d = serviceSloDashboard("payments", bundles);
    const exprs = dashboardExpressions(d).map((e) => e.expr);
    expect(exprs.some((e) => e.includes('slo="payments-availability"'))).toBe(true);
    // the SLO display name with quotes only appears in titles, never in PromQL
    expect(exprs.some((e) => e.includes('"API"'))).toBe(false);
    expect(d.panels.some((p) => p.title.includes('Payments "API" availability'))).toBe(true);
  });
});

describe("agreement with the rule generator", () => {
  it("the shared rule names match RULE_NAMES", () => {
    const generated = new Set(Object.values(RULE_NAMES).filter((n) => n.startsWith("slo:")));
    expect(new Set([...SHARED_RULES].filter((n) => n !== "ALERTS"))).toEqual(generated);
  });

  it("every slo_window a dashboard queries is recorded for that SLO", () => {
    for (const b of bundles) {
      const spec = SloSpecSchema.parse({
        ...b.slo,
        sli: { kind: "availability", metric: "http_requests_total", errorMatchers: [{ label: "code", op: "=~", value: "5.." }] },
        alerting: { ...(b.slo.alerting?.windows ? { windows: b.slo.alerting.windows } : {}) },
      });
      const recorded = new Set(recordedWindows(spec).map(secondsToDuration));
      const queried = [...sloDashboardBurnWindows(b), sloDashboardPeriodWindow(b), ...SLO_DASHBOARD_LONG_WINDOWS];
      expect(queried.filter((w) => !recorded.has(w))).toEqual([]);
    }
  });
});

describe("dashboard identity and stamps", () => {
  it("uses stable uids, the default datasource and tags", () => {
    expect(sloOverviewDashboard(bundles).uid).toBe("slo-overview");
    expect(serviceSloDashboard("checkout", bundles).uid).toBe("slo-svc-checkout");
    expect(goldenSignalsDashboard("checkout").uid).toBe("golden-checkout");
    expect(doraDashboard().uid).toBe("dora");
    const d = serviceSloDashboard("checkout", bundles);
    expect(d.tags).toEqual(["burnrate", "service:checkout", "slo", "team:shop"]);
    const ds = d.panels.flatMap((p) => (p.datasource ? [p.datasource.uid] : []));
    expect(new Set(ds)).toEqual(new Set(["prometheus"]));
    const custom = serviceSloDashboard("checkout", bundles, { datasourceUid: "mimir" });
    expect(new Set(custom.panels.flatMap((p) => p.targets?.map((t) => t.datasource.uid) ?? []))).toEqual(new Set(["mimir"]));
  });

  it("keeps uids within Grafana's 40 characters, stable and unique", () => {
    const long = "a-very-long-service-name-that-goes-past-forty-chars";
    const a = dashboardUid("slo-svc-", long);
    expect(a.length).toBeLessThanOrEqual(40);
    expect(dashboardUid("slo-svc-", long)).toBe(a);
    expect(dashboardUid("slo-svc-", `${long}-2`)).not.toBe(a);
    expect(serviceSloDashboard(long, []).uid).toBe(a);
  });

  it("is deterministic and independent of bundle order", () => {
    expect(dashboardJson(sloOverviewDashboard([...bundles].reverse()))).toBe(dashboardJson(sloOverviewDashboard(bundles)));
    expect(dashboardJson(serviceSloDashboard("checkout", [...bundles].reverse()))).toBe(dashboardJson(serviceSloDashboard("checkout", bundles)));
  });

  it("stamps version and content hash into the description", () => {
    const d = doraDashboard();
    const stamp = readDashboardStamp(d);
    expect(stamp).toEqual({ version: 1, hash: dashboardContentHash(d) });
    expect(d.description).toMatch(/__burnrate_version=1/);
    // stamping again is idempotent; Grafana-owned id/version do not change the hash
    expect(stampDashboard(d)).toEqual(d);
    expect(dashboardContentHash({ ...d, id: 7, version: 12 })).toBe(stamp?.hash);
    // content changes change the hash
    expect(readDashboardStamp(doraDashboard({ datasourceUid: "other" }))?.hash).not.toBe(stamp?.hash);
    expect(readDashboardStamp({ description: "hand made" })).toBeNull();
  });

  it("panels never overlap on the grid", () => {
    for (const [, build] of cases) {
      const cells = new Set<string>();
      for (const p of build().panels) {
        expect(p.gridPos.x + p.gridPos.w).toBeLessThanOrEqual(24);
        for (let x = p.gridPos.x; x < p.gridPos.x + p.gridPos.w; x++)
          for (let y = p.gridPos.y; y < p.gridPos.y + p.gridPos.h; y++) {
            const key = `${x},${y}`;
            expect(cells.has(key)).toBe(false);
            cells.add(key);
          }
      }
    }
  });
});
