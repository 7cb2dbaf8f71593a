import { parseAllDocuments } from "yaml";
import { describe, expect, it } from "vitest";
import {
  alertBurnWindows,
  exportOpenSlo,
  exportSloth,
  generateRuleGroups,
  importOpenSlo,
  importSloth,
  sliQueries,
  toMimirNamespaces,
  toPrometheusRules,
  type ImportResult,
  type SloSpec,
} from "../src/index";
import { caseNames, loadCase } from "./support/cases";

function ok(r: ImportResult) {
  if (!r.ok) throw new Error(JSON.stringify(r.errors));
  return r;
}

const windows = (s: SloSpec) => alertBurnWindows(s).map((w) => [w.severity, w.longSeconds, w.shortSeconds, w.burnRate, w.forSeconds]);

describe("OpenSLO v1", () => {
  it.each(caseNames())("%s round-trips through export and import", (name) => {
    const c = loadCase(name);
    const r = ok(importOpenSlo(exportOpenSlo(c.bundles, { version: "t" })));
    expect(r.slos.map((s) => s.slug).sort()).toEqual(c.bundles.map((b) => b.slo.slug).sort());
    for (const b of c.bundles) {
      const s = r.slos.find((x) => x.slug === b.slo.slug) as SloSpec;
      expect(sliQueries(s.sli, "5m")).toEqual(sliQueries(b.slo.sli, "5m"));
      expect(s.sli.kind).toBe(b.slo.sli.kind);
      expect([s.name, s.objective, s.window, s.service, s.labels, s.description]).toEqual([b.slo.name, b.slo.objective, b.slo.window, b.slo.service, b.slo.labels, b.slo.description]);
      expect([s.alerting.enabled, s.alerting.minEvents]).toEqual([b.slo.alerting.enabled, b.slo.alerting.minEvents]);
      if (b.slo.alerting.enabled) expect(windows(s)).toEqual(windows(b.slo));
    }
    expect(r.services.map((s) => [s.slug, s.team, s.tier])).toEqual(
      [...new Map(c.bundles.map((b) => [b.service.slug, [b.service.slug, b.team.slug, b.service.tier]])).values()],
    );
  });

  it("imports a hand-written spec with a referenced SLI and a calendar window", () => {
    const text = `
apiVersion: openslo/v1
kind: Service
metadata: { name: web, displayName: Web, labels: { team: frontend } }
spec: { description: "" }
---
apiVersion: openslo/v1
kind: SLI
metadata: { name: web-errors }
spec:
  ratioMetric:
    counter: true
    good: { metricSource: { type: Prometheus, spec: { query: 'sum(http_requests_total{service="web",code!~"5.."})' } } }
    total: { metricSource: { type: Prometheus, spec: { query: 'sum(http_requests_total{service="web"})' } } }
---
apiVersion: openslo/v1
kind: SLO
metadata: { name: web-availability, displayName: Web availability }
spec:
  service: web
  indicatorRef: web-errors
  timeWindow: [{ duration: 1M, isRolling: false, calendar: { startTime: "2024-01-01 00:00:00", timeZone: UTC } }]
  budgetingMethod: Occurrences
  objectives: [{ target: 0.995 }]
`;
    const r = ok(importOpenSlo(text));
    expect(r.slos[0]).toMatchObject({ slug: "web-availability", objective: 99.5, window: "calendar-month", service: "web" });
    expect(sliQueries(r.slos[0]?.sli as SloSpec["sli"], "5m").errors).toBe(
      '(sum(rate(http_requests_total{service="web"}[5m])) - (sum(rate(http_requests_total{code!~"5..",service="web"}[5m])) or vector(0)))',
    );
  });

  it("reports every problem with a path", () => {
    const text = `
apiVersion: openslo/v1alpha
kind: SLO
---
apiVersion: openslo/v1
kind: SLO
metadata: { name: x-slo }
spec:
  service: ghost
  indicator:
    spec:
      ratioMetric:
        counter: true
        bad: { metricSource: { type: Datadog, spec: { query: "x" } } }
        total: { metricSource: { type: Datadog, spec: { query: "y" } } }
  timeWindow: [{ duration: 90d, isRolling: true }]
  objectives: [{ target: 0.99 }, { target: 0.999 }]
`;
    const r = importOpenSlo(text);
    expect(r.ok).toBe(false);
    const paths = r.ok ? [] : r.errors.map((e) => e.path);
    expect(paths).toEqual(["documents[0].apiVersion", "documents[1].spec.service", "documents[1].spec.objectives", "documents[1].spec.timeWindow[0]"]);
    expect(r.ok ? "" : r.errors[3]?.message).toContain("unsupported time window 90d");
  });

  it("rejects non-Prometheus metric sources", () => {
    const r = importOpenSlo(`apiVersion: openslo/v1
kind: Service
metadata: { name: svc, labels: { team: t1 } }
---
apiVersion: openslo/v1
kind: SLO
metadata: { name: svc-slo }
spec:
  service: svc
  indicator: { spec: { ratioMetric: { counter: true, bad: { metricSource: { type: Datadog, spec: { query: a } } }, total: { metricSource: { type: Datadog, spec: { query: b } } } } } }
  timeWindow: [{ duration: 30d, isRolling: true }]
  objectives: [{ target: 0.99 }]
`);
    expect(r).toEqual({ ok: false, errors: [{ path: "documents[1].spec.indicator.spec.ratioMetric.bad.metricSource.type", message: "only Prometheus metric sources are supported (got Datadog)" }] });
  });
});

describe("Sloth prometheus/v1", () => {
  it.each(caseNames())("%s round-trips: imported custom SLIs evaluate the same PromQL", (name) => {
    const c = loadCase(name);
    const r = ok(importSloth(exportSloth(c.bundles, { version: "t" })));
    for (const b of c.bundles) {
      const s = r.slos.find((x) => x.slug === b.slo.slug) as SloSpec;
      expect(s, b.slo.slug).toBeDefined();
      const orig = sliQueries(b.slo.sli, "1h");
      const got = sliQueries(s.sli, "1h");
      expect(got.total).toBe(orig.total === "vector(1)" ? "sum(max_over_time(vector(1)[1h:]))" : `sum(${orig.total})`);
      expect(got.errors).toBe(`sum(${orig.errors})`);
      expect([s.objective, s.window, s.labels, s.alerting.page, s.alerting.ticket]).toEqual([
        b.slo.objective,
        b.slo.window,
        b.slo.labels,
        b.slo.alerting.enabled && b.slo.alerting.page,
        b.slo.alerting.enabled && b.slo.alerting.ticket,
      ]);
    }
  });

  it("imports Sloth's getting-started example", () => {
    const r = ok(
      importSloth(`version: "prometheus/v1"
service: "myservice"
labels:
  owner: "myteam"
  repo: "myorg/myservice"
  tier: "2"
slos:
  - name: "requests-availability"
    objective: 99.9
    description: "Common SLO based on availability for HTTP request responses."
    labels:
      category: availability
    sli:
      events:
        error_query: sum(rate(http_request_duration_seconds_count{job="myservice",code=~"(5..|429)"}[{{.window}}]))
        total_query: sum(rate(http_request_duration_seconds_count{job="myservice"}[{{.window}}]))
    alerting:
      name: "MyServiceHighErrorRate"
      annotations:
        summary: "High error rate on 'myservice' requests responses"
      page_alert:
        labels: { severity: pageteam, routing_key: myteam }
      ticket_alert:
        labels: { severity: "slack", slack_channel: "#alerts-myteam" }
`, { defaultTeam: "myteam" }),
    );
    expect(r.services).toEqual([expect.objectContaining({ slug: "myservice", team: "myteam", tier: "medium" })]);
    expect(r.slos[0]).toMatchObject({ slug: "myservice-requests-availability", objective: 99.9, labels: { owner: "myteam", repo: "myorg/myservice", category: "availability" } });
  });

  it("reports unsupported SLIs and invalid fields with paths", () => {
    const r = importSloth(`version: prometheus/v1
service: svc
labels: { team: t1 }
slos:
  - name: raw
    objective: 99
    sli: { raw: { error_ratio_query: "x" } }
  - name: plug
    objective: 99
    sli: { plugin: { id: x } }
  - name: bad
    objective: 100
    sli: { events: { error_query: 'sum(rate(x[5m]))', total_query: 'sum(rate(y[{{.window}}]))' } }
`);
    expect(r.ok).toBe(false);
    expect(r.ok ? [] : r.errors.map((e) => e.path).sort()).toEqual(["documents[0].slos[0].sli.raw", "documents[0].slos[1].sli.plugin", "documents[0].slos[2].objective", "documents[0].slos[2].sli.events.error_query"]);
  });
});

describe("PrometheusRule and Mimir", () => {
  const c = loadCase("custom-min-events");
  const sets = generateRuleGroups(c.bundles, c.options);

  it("writes one PrometheusRule per rule file", () => {
    const docs = parseAllDocuments(toPrometheusRules(sets, { version: "t", namespace: "mon" })).map((d) => d.toJS() as { kind: string; metadata: { name: string; namespace: string; labels: Record<string, string> } });
    expect(docs.map((d) => [d.kind, d.metadata.name, d.metadata.namespace])).toEqual([
      ["PrometheusRule", "slo-batch-good", "mon"],
      ["PrometheusRule", "slo-batch-guarded", "mon"],
      ["PrometheusRule", "slo-batch-unguarded", "mon"],
      ["PrometheusRule", "burnrate-infrastructure", "mon"],
    ]);
    expect(docs[0]?.metadata.labels).toMatchObject({ "burnrate.dev/slo": "batch-good", "burnrate.dev/team": "payments" });
  });

  it("puts each team's groups into one Mimir namespace", () => {
    const ns = toMimirNamespaces(sets);
    expect(ns.map((n) => n.namespace)).toEqual(["burnrate-infrastructure", "payments"]);
    expect(ns[1]?.groups.length).toBe(12);
    expect(ns[1]?.groups.map((g) => g.name)).toEqual([...(ns[1]?.groups.map((g) => g.name) ?? [])].sort());
  });
});
