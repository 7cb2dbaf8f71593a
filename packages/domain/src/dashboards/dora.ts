import {
  type CommonDashboardOptions,
  dashboardShell,
  GridLayout,
  labelValuesVariable,
  promDatasource,
  promTarget,
  stat,
  timeseries,
} from "./builder";
import type { Dashboard } from "./model";

export type DoraDashboardOptions = CommonDashboardOptions & {
  /** `kind` label value of unplanned (rework) deployments. */
  reworkKind?: string;
  /** `result` label value of successful deployments. */
  successResult?: string;
};

/**
 * DORA's five metrics over the dashboard time range from the counters and histograms Burnrate
 * exports: deployment frequency, change lead time, change fail rate, failed deployment recovery
 * time and deployment rework rate.
 */
export function doraDashboard(opts: DoraDashboardOptions = {}): Dashboard {
  const ds = promDatasource(opts.datasourceUid);
  const f = 'team=~"$team",service=~"$service",environment=~"$environment"';
  const ok = `result="${opts.successResult ?? "success"}"`;
  const rework = `kind="${opts.reworkKind ?? "unplanned"}"`;
  const deploys = (extra = "", range = "$__range") => `sum(increase(burnrate_deployments_total{${f}${extra}}[${range}]))`;
  const failed = (range = "$__range") => `sum(increase(burnrate_deployments_failed_total{${f}}[${range}]))`;
  const q = (metric: string, quantile: number, range = "$__range", by = "le") =>
    `histogram_quantile(${quantile}, sum by (${by}) (increase(${metric}_bucket{${f}}[${range}])))`;

  const grid = new GridLayout();
  grid
    .add(
      stat(ds, {
        title: "Deployment frequency",
        description: "Successful deployments per day over the selected time range.",
        targets: [promTarget(ds, "A", `(${deploys(`,${ok}`)} / ($__range_s / 86400)) or vector(0)`, { instant: true })],
        unit: "short",
        decimals: 2,
        thresholds: [["blue", null]],
      }),
      5,
      5,
    )
    .add(
      stat(ds, {
        title: "Change lead time (median)",
        description: "Commit to production, median over changes deployed in the range.",
        targets: [promTarget(ds, "A", q("burnrate_change_lead_time_seconds", 0.5), { instant: true })],
        unit: "s",
        thresholds: [["green", null], ["orange", 86400], ["red", 604800]],
      }),
      5,
      5,
    )
    .add(
      stat(ds, {
        title: "Change fail rate",
        description: "Deployments that caused a failure (incident, rollback or hotfix) over all deployments.",
        targets: [promTarget(ds, "A", `(${failed()} / ${deploys()}) or vector(0)`, { instant: true })],
        unit: "percentunit",
        decimals: 1,
        thresholds: [["green", null], ["orange", 0.15], ["red", 0.3]],
      }),
      5,
      5,
    )
    .add(
      stat(ds, {
        title: "Time to restore (median)",
        description: "Failed deployment recovery time, median over recoveries in the range.",
        targets: [promTarget(ds, "A", q("burnrate_time_to_restore_seconds", 0.5), { instant: true })],
        unit: "s",
        thresholds: [["green", null], ["orange", 3600], ["red", 86400]],
      }),
      5,
      5,
    )
    .add(
      stat(ds, {
        title: "Rework rate",
        description: "Unplanned deployments (made because of a production incident) over all deployments.",
        targets: [promTarget(ds, "A", `(${deploys(`,${rework}`)} / ${deploys()}) or vector(0)`, { instant: true })],
        unit: "percentunit",
        decimals: 1,
        thresholds: [["green", null], ["orange", 0.1], ["red", 0.2]],
      }),
      4,
      5,
    );

  grid
    .add(
      timeseries(ds, {
        title: "Deployments per day",
        targets: [promTarget(ds, "A", `sum by (service) (increase(burnrate_deployments_total{${f},${ok}}[1d]))`, { legend: "{{service}}", interval: "1d" })],
        unit: "short",
        min: 0,
        stack: true,
      }),
      12,
      8,
    )
    .add(
      timeseries(ds, {
        title: "Change lead time (1d window)",
        targets: [
          promTarget(ds, "A", q("burnrate_change_lead_time_seconds", 0.5, "1d"), { legend: "p50", interval: "1h" }),
          promTarget(ds, "B", q("burnrate_change_lead_time_seconds", 0.9, "1d"), { legend: "p90", interval: "1h" }),
        ],
        unit: "s",
        min: 0,
      }),
      12,
      8,
    )
    .add(
      timeseries(ds, {
        title: "Change fail rate and rework rate (7d window)",
        targets: [
          promTarget(ds, "A", `${failed("7d")} / ${deploys("", "7d")}`, { legend: "change fail rate", interval: "1h" }),
          promTarget(ds, "B", `${deploys(`,${rework}`, "7d")} / ${deploys("", "7d")}`, { legend: "rework rate", interval: "1h" }),
        ],
        unit: "percentunit",
        min: 0,
      }),
      12,
      8,
    )
    .add(
      timeseries(ds, {
        title: "Time to restore (7d window)",
        targets: [
          promTarget(ds, "A", q("burnrate_time_to_restore_seconds", 0.5, "7d"), { legend: "p50", interval: "1h" }),
          promTarget(ds, "B", q("burnrate_time_to_restore_seconds", 0.9, "7d"), { legend: "p90", interval: "1h" }),
        ],
        unit: "s",
        min: 0,
      }),
      12,
      8,
    )
    .add(
      timeseries(ds, {
        title: "Median lead time by service (7d window)",
        targets: [
          promTarget(ds, "A", q("burnrate_change_lead_time_seconds", 0.5, "7d", "le, service"), { legend: "{{service}}", interval: "1h" }),
        ],
        unit: "s",
        min: 0,
      }),
      24,
      8,
    );

  return dashboardShell({
    uid: "dora",
    title: "DORA metrics",
    description: "Deployment frequency, change lead time, change fail rate, time to restore and rework rate from Burnrate's deployment events.",
    tags: ["dora"],
    panels: grid.panels(),
    variables: [
      labelValuesVariable(ds, "team", "Team", "label_values(burnrate_deployments_total, team)"),
      labelValuesVariable(ds, "service", "Service", 'label_values(burnrate_deployments_total{team=~"$team"}, service)'),
      labelValuesVariable(ds, "environment", "Environment", "label_values(burnrate_deployments_total, environment)", {
        multi: false,
        current: "production",
      }),
    ],
    opts,
    defaultFrom: "now-28d",
  });
}
