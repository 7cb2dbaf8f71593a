import { describe, expect, it } from "vitest";
import { computeDora, type DoraDeployment, type DoraIncident } from "@burnrate/domain";
import { doraSeriesAt, escapeLabelValue, renderExposition, renderOpenMetricsHistory, type MetricFamily } from "../src/exporter/index";
import { DAY, seedHistory } from "./exporter.seed";

const deployments: DoraDeployment[] = [
  { id: "d1", service: "checkout", environment: "production", finishedAt: "2026-03-01T10:00:00Z", result: "success", kind: "planned",
    commits: [{ sha: "aaaaaaa", committedAt: "2026-03-01T09:30:00Z" }, { sha: "bbbbbbb", committedAt: "2026-02-27T10:00:00Z" }] },
  { id: "d2", service: "checkout", environment: "production", finishedAt: "2026-03-01T15:00:00Z", result: "success", kind: "planned" },
];
const incidents: DoraIncident[] = [
  { id: "i1", service: "checkout", openedAt: "2026-03-02T08:00:00Z", resolvedAt: "2026-03-02T10:00:00Z", causedByDeploymentId: "d2" },
];
const rows = { deployments, incidents };
const teams = { checkout: "payments" };

function value(fams: MetricFamily[], name: string, labels: Record<string, string> = {}): number {
  let total = 0;
  for (const f of fams)
    for (const s of f.samples)
      if (s.name === name && Object.entries(labels).every(([k, v]) => s.labels.some(([lk, lv]) => lk === k && lv === v))) total += s.value;
  return total;
}

describe("doraSeriesAt", () => {
  it("counts a deployment from its finish time on (strictly after), never before", () => {
    expect(value(doraSeriesAt(rows, "2026-03-01T10:00:00Z", { teams }), "burnrate_deployments_total")).toBe(0);
    expect(value(doraSeriesAt(rows, "2026-03-01T10:00:01Z", { teams }), "burnrate_deployments_total")).toBe(1);
    expect(value(doraSeriesAt(rows, "2026-03-03T00:00:00Z", { teams }), "burnrate_deployments_total", { result: "success", kind: "planned" })).toBe(2);
  });

  it("observes lead time per commit at deploy finish: 30m lands in le=3600, 2d in le=604800", () => {
    const f = doraSeriesAt(rows, "2026-03-01T11:00:00Z", { teams });
    expect(value(f, "burnrate_change_lead_time_seconds_bucket", { le: "3600" })).toBe(1);
    expect(value(f, "burnrate_change_lead_time_seconds_bucket", { le: "86400" })).toBe(1);
    expect(value(f, "burnrate_change_lead_time_seconds_bucket", { le: "604800" })).toBe(2);
    expect(value(f, "burnrate_change_lead_time_seconds_bucket", { le: "+Inf" })).toBe(2);
    expect(value(f, "burnrate_change_lead_time_seconds_count")).toBe(2);
    expect(value(f, "burnrate_change_lead_time_seconds_sum")).toBe(1800 + 2 * 86400);
  });

  it("counts the failure when the incident links it (not at deploy time) and restore at resolution", () => {
    expect(value(doraSeriesAt(rows, "2026-03-02T07:59:00Z", { teams }), "burnrate_deployments_failed_total")).toBe(0);
    const after = doraSeriesAt(rows, "2026-03-02T09:00:00Z", { teams });
    expect(value(after, "burnrate_deployments_failed_total")).toBe(1);
    expect(value(after, "burnrate_incidents_total")).toBe(1);
    expect(value(after, "burnrate_time_to_restore_seconds_count")).toBe(0);
    const resolved = doraSeriesAt(rows, "2026-03-02T10:00:01Z", { teams });
    expect(value(resolved, "burnrate_time_to_restore_seconds_sum")).toBe(7200);
    expect(value(resolved, "burnrate_failed_deployment_recovery_seconds_sum")).toBe(19 * 3600);
  });

  it("pre-seeds zero series for every result×kind and for catalogue services with no events", () => {
    const f = doraSeriesAt(rows, "2026-03-01T00:00:00Z", { teams, services: [{ service: "search", team: "discovery" }] });
    const deploys = f.find((x) => x.name === "burnrate_deployments_total")!;
    expect(deploys.samples).toHaveLength(12);
    expect(deploys.samples.every((s) => s.value === 0)).toBe(true);
    expect(f.find((x) => x.name === "burnrate_deployment_last_timestamp_seconds")!.samples).toEqual([]);
  });

  it("sets the last-deployment gauge to the latest finish time in unix seconds", () => {
    const f = doraSeriesAt(rows, "2026-03-05T00:00:00Z", { teams });
    expect(value(f, "burnrate_deployment_last_timestamp_seconds")).toBe(Date.parse("2026-03-01T15:00:00Z") / 1000);
  });

  it("agrees with computeDora totals for a window [from, to)", () => {
    const from = "2026-03-01T00:00:00Z", to = "2026-03-03T00:00:00Z";
    const d = computeDora(deployments, incidents, { from, to, teams }).overall;
    const diff = (name: string) => value(doraSeriesAt(rows, to, { teams }), name) - value(doraSeriesAt(rows, from, { teams }), name);
    expect(diff("burnrate_deployments_total")).toBe(d.deployments.total);
    expect(diff("burnrate_deployments_failed_total")).toBe(d.deployments.failuresRecognized);
    expect(diff("burnrate_change_lead_time_seconds_count")).toBe(d.leadTime.count);
  });
});

describe("renderExposition (text format 0.0.4)", () => {
  it("escapes backslash, double quote and newline in label values", () => {
    expect(escapeLabelValue('a\\b"c\nd')).toBe('a\\\\b\\"c\\nd');
    const text = renderExposition(doraSeriesAt(rows, "2026-03-02T00:00:00Z", { teams: { checkout: 'pay"me\\nts\nx' } }));
    expect(text).toContain('team="pay\\"me\\\\nts\\nx"');
    expect(text.split("\n").every((l) => l === "" || l.startsWith("#") || /^[a-z_]+(\{.*\})? \S+$/.test(l))).toBe(true);
  });

  it("emits HELP and TYPE once per family, counters with _total and histograms with +Inf, _count, _sum", () => {
    const text = renderExposition(doraSeriesAt(rows, "2026-03-02T00:00:00Z", { teams }));
    expect(text.match(/^# TYPE burnrate_deployments_total counter$/gm)).toHaveLength(1);
    expect(text).toMatch(/^# TYPE burnrate_change_lead_time_seconds histogram$/m);
    expect(text).toMatch(/^burnrate_change_lead_time_seconds_bucket\{service="checkout",team="payments",environment="production",le="\+Inf"\} 2$/m);
    expect(text).toMatch(/^burnrate_change_lead_time_seconds_count\{service="checkout",team="payments",environment="production"\} 2$/m);
    expect(text.endsWith("\n")).toBe(true);
  });
});

describe("renderOpenMetricsHistory", () => {
  const om = renderOpenMetricsHistory(rows, "2026-03-01T00:00:00Z", "2026-03-02T00:00:00Z", 3600, { teams, extraLabels: { job: "burnrate" } });
  const lines = om.trimEnd().split("\n");

  it("uses OpenMetrics family names (counter without _total), ends with # EOF", () => {
    expect(om).toMatch(/^# TYPE burnrate_deployments counter$/m);
    expect(om).toMatch(/^# TYPE burnrate_deployments_failed counter$/m);
    expect(lines.at(-1)).toBe("# EOF");
  });

  it("samples every step from `from` to `to` inclusive with timestamps in seconds, per series in time order", () => {
    const series = lines.filter((l) => l.startsWith('burnrate_deployments_total{service="checkout",team="payments",environment="production",result="success",kind="planned",job="burnrate"}'));
    expect(series).toHaveLength(25);
    expect(series[0]).toMatch(/ 0 1772323200$/);
    expect(series[10]).toMatch(/ 0 1772359200$/);
    expect(series[11]).toMatch(/ 1 1772362800$/);
    expect(series[24]).toMatch(/ 2 1772409600$/);
  });

  it("keeps each histogram point's buckets, count and sum together", () => {
    const idx = lines.findIndex((l) => l.startsWith("burnrate_change_lead_time_seconds_bucket"));
    expect(lines.slice(idx, idx + 8).map((l) => l.split("{")[0])).toEqual([
      ...Array(6).fill("burnrate_change_lead_time_seconds_bucket"),
      "burnrate_change_lead_time_seconds_count",
      "burnrate_change_lead_time_seconds_sum",
    ]);
  });

  it("rejects a non-positive step", () => {
    expect(() => renderOpenMetricsHistory(rows, "2026-03-01T00:00:00Z", "2026-03-02T00:00:00Z", 0)).toThrow();
  });
});

describe("the Prometheus equality test's seeded history", () => {
  it("has the same shape at any hour of the day (shifted to end a day before the last UTC midnight)", () => {
    const day = Date.UTC(2027, 0, 31);
    const shape = (now: number) => {
      const h = seedHistory(now);
      const rel = (t: unknown) => (t === null || t === undefined ? null : Date.parse(t as string) - h.end);
      return {
        end: h.end - Math.floor(now / DAY) * DAY,
        deployments: h.deployments.map((d) => ({ ...d, finishedAt: rel(d.finishedAt), startedAt: rel(d.startedAt), commits: d.commits?.map((c) => ({ ...c, committedAt: rel(c.committedAt) })) })),
        incidents: h.incidents.map((i) => ({ ...i, openedAt: rel(i.openedAt), resolvedAt: rel(i.resolvedAt) })),
      };
    };
    const first = shape(day + 30_000);
    expect(first.end).toBe(-DAY);
    for (const t of [day + 4.5 * 3_600_000, day + DAY - 30_000, day + 12 * 3_600_000]) expect(shape(t)).toEqual(first);
    // Every event lies strictly inside the history, or in the live-only tail that ends 12 h after it.
    const times = [...first.deployments.map((d) => d.finishedAt), ...first.incidents.flatMap((i) => [i.openedAt, i.resolvedAt])].filter((t): t is number => t !== null);
    expect(Math.max(...times)).toBeLessThan(12 * 3_600_000);
    expect(Math.min(...times)).toBeGreaterThanOrEqual(-30 * DAY);
  });
});
