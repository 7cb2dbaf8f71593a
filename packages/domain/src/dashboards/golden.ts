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
import { dashboardUid, type Dashboard } from "./model";

export type GoldenSignalsOptions = CommonDashboardOptions & {
  /** Request counter with `service` and `code` labels. */
  requestsMetric?: string;
  /** Latency histogram base name (without _bucket/_count/_sum). */
  durationMetric?: string;
  /** Team owning the service, used for a tag. */
  team?: string;
  /** Extra saturation queries (e.g. CPU or queue depth), each drawn in the saturation panel. */
  saturation?: Array<{ expr: string; legend: string }>;
};

/**
 * The four golden signals of one service from `http_requests_total` and
 * `http_request_duration_seconds`. The `service` variable defaults to this service, so the
 * dashboard can also browse its neighbours.
 */
export function goldenSignalsDashboard(service: string, opts: GoldenSignalsOptions = {}): Dashboard {
  const ds = promDatasource(opts.datasourceUid);
  const req = opts.requestsMetric ?? "http_requests_total";
  const dur = opts.durationMetric ?? "http_request_duration_seconds";
  const s = 'service="$service"';
  const rate = (metric: string, extra = "") => `rate(${metric}{${s}${extra}}[$__rate_interval])`;
  const errorRatio = `sum(${rate(req, ',code=~"5.."')}) / sum(${rate(req)})`;
  const quantile = (q: number) => `histogram_quantile(${q}, sum by (le) (${rate(`${dur}_bucket`)}))`;
  // Little's law: seconds spent serving per second = mean requests in flight.
  const concurrency = `sum(${rate(`${dur}_sum`)})`;

  const grid = new GridLayout();
  grid
    .add(stat(ds, { title: "Traffic", targets: [promTarget(ds, "A", `sum(${rate(req)})`, { instant: true })], unit: "reqps", thresholds: [["blue", null]], graph: true }), 6, 4)
    .add(
      stat(ds, {
        title: "Error ratio (5xx)",
        targets: [promTarget(ds, "A", `(${errorRatio}) or vector(0)`, { instant: true })],
        unit: "percentunit",
        decimals: 2,
        thresholds: [["green", null], ["orange", 0.001], ["red", 0.01]],
        graph: true,
      }),
      6,
      4,
    )
    .add(
      stat(ds, {
        title: "Latency p99",
        targets: [promTarget(ds, "A", quantile(0.99), { instant: true })],
        unit: "s",
        thresholds: [["green", null], ["orange", 0.5], ["red", 1]],
        graph: true,
      }),
      6,
      4,
    )
    .add(
      stat(ds, {
        title: "Requests in flight (mean)",
        targets: [promTarget(ds, "A", concurrency, { instant: true })],
        unit: "short",
        decimals: 2,
        thresholds: [["blue", null]],
        graph: true,
      }),
      6,
      4,
    );

  grid
    .add(
      timeseries(ds, {
        title: "Latency",
        description: `Quantiles from ${dur}; the mean is sum / count.`,
        targets: [
          promTarget(ds, "A", quantile(0.5), { legend: "p50" }),
          promTarget(ds, "B", quantile(0.9), { legend: "p90" }),
          promTarget(ds, "C", quantile(0.99), { legend: "p99" }),
          promTarget(ds, "D", `sum(${rate(`${dur}_sum`)}) / sum(${rate(`${dur}_count`)})`, { legend: "mean" }),
        ],
        unit: "s",
        min: 0,
      }),
      12,
      8,
    )
    .add(
      timeseries(ds, {
        title: "Traffic by status code",
        targets: [promTarget(ds, "A", `sum by (code) (${rate(req)})`, { legend: "{{code}}" })],
        unit: "reqps",
        min: 0,
        stack: true,
      }),
      12,
      8,
    )
    .add(
      timeseries(ds, {
        title: "Errors",
        description: "Share of requests answered with a 5xx status, and 4xx for reference.",
        targets: [
          promTarget(ds, "A", errorRatio, { legend: "5xx" }),
          promTarget(ds, "B", `sum(${rate(req, ',code=~"4.."')}) / sum(${rate(req)})`, { legend: "4xx" }),
        ],
        unit: "percentunit",
        min: 0,
      }),
      12,
      8,
    )
    .add(
      timeseries(ds, {
        title: "Saturation",
        description: "Mean requests in flight (Little's law: latency sum rate) and share of requests slower than 1s.",
        targets: [
          promTarget(ds, "A", concurrency, { legend: "in flight (mean)" }),
          promTarget(
            ds,
            "B",
            `1 - (sum(${rate(`${dur}_bucket`, ',le=~"1(\\\\.0)?"')}) / sum(${rate(`${dur}_count`)}))`,
            { legend: "slower than 1s" },
          ),
          ...(opts.saturation ?? []).map((q, i) => promTarget(ds, String.fromCharCode(67 + i), q.expr, { legend: q.legend })),
        ],
        unit: "short",
        min: 0,
      }),
      12,
      8,
    );

  return dashboardShell({
    uid: dashboardUid("golden-", service),
    title: `Golden signals: ${service}`,
    description: `Latency, traffic, errors and saturation of ${service} from ${req} and ${dur}.`,
    tags: ["golden-signals", `service:${service}`, ...(opts.team ? [`team:${opts.team}`] : [])],
    panels: grid.panels(),
    variables: [
      labelValuesVariable(ds, "service", "Service", `label_values(${req}, service)`, { multi: false, current: service }),
    ],
    opts,
    defaultFrom: "now-6h",
  });
}
