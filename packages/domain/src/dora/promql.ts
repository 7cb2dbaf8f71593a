import { durationToSeconds, secondsToDuration } from "../spec/common";
import { promqlString } from "../promql/escape";

/** Series exposed by the Burnrate DORA exporter (`@burnrate/integrations` exporter). */
export const DORA_METRICS = {
  /** counter {service,team,environment,result,kind}, +1 at deployment finish. */
  deployments: "burnrate_deployments_total",
  /** counter {service,team,environment}, +1 when a deployment is recognised as failed. */
  deploymentsFailed: "burnrate_deployments_failed_total",
  /** counter {service,team}, +1 when an incident opens. */
  incidents: "burnrate_incidents_total",
  /** histogram {service,team,environment}, one observation per change at deployment finish. */
  leadTime: "burnrate_change_lead_time_seconds",
  /** histogram {service,team}, observed at incident resolution (resolved − opened). */
  timeToRestore: "burnrate_time_to_restore_seconds",
  /** histogram {service,team,environment}, observed at recovery (recovered − deployment finish). */
  recovery: "burnrate_failed_deployment_recovery_seconds",
  /** gauge {service,team,environment}: finish time (unix seconds) of the latest deployment. */
  lastDeployment: "burnrate_deployment_last_timestamp_seconds",
} as const;

/** 1h, 1d, 1w, 30d, 180d: the DORA lead-time band boundaries fall on bucket edges. */
export const LEAD_TIME_BUCKETS = [3600, 86_400, 604_800, 2_592_000, 15_552_000] as const;
/** 15m, 1h, 4h, 1d, 1w, 30d: the recovery band boundaries (1h, 1d, 1w) fall on bucket edges. */
export const RESTORE_BUCKETS = [900, 3600, 14_400, 86_400, 604_800, 2_592_000] as const;

export interface DoraPromqlOptions {
  /** Prometheus duration, default 28d. */
  window?: string;
  service?: string;
  team?: string;
  environment?: string;
  /**
   * Only these services (the catalogue's current services of the scope): Prometheus keeps the
   * history of deleted services, the database does not, so a scope is defined by the catalogue.
   * An empty list matches nothing (every figure is then no data, as in the database).
   */
  services?: readonly string[];
  /** Group results by service or team (one series per group); default: one aggregate series. */
  by?: "service" | "team";
}

export interface DoraPromqlQueries {
  deployments: string;
  successfulDeployments: string;
  deploymentsPerDay: string;
  deployDays: string;
  deployDaysPerWeek: string;
  leadTimeMedianSeconds: string;
  leadTimeP90Seconds: string;
  leadTimeMeanSeconds: string;
  leadTimeCount: string;
  changeFailureRate: string;
  failedDeployments: string;
  timeToRestoreMedianSeconds: string;
  timeToRestoreP90Seconds: string;
  timeToRestoreMeanSeconds: string;
  timeToRestoreCount: string;
  recoveryMedianSeconds: string;
  recoveryP90Seconds: string;
  recoveryMeanSeconds: string;
  recoveryCount: string;
  reworkRate: string;
  incidents: string;
}

/**
 * PromQL for each DORA metric over a trailing window, reading the exporter series.
 *
 * Window totals are computed as `x - x offset W or x` instead of `increase(x[W])`:
 * the exporter's counters are rebuilt from the DB (they never reset), so the difference is exact,
 * while `increase()` extrapolates to the window edges and loses the first increment of a series
 * born with value 1. `or x` keeps series that did not exist W ago (everything they counted is in
 * the window).
 *
 * Exactness: at an evaluation time t the result equals `computeDora` over [t − W, t) when the series
 * have samples at t and t − W (the OpenMetrics backfill grid, or any time when scraped more often
 * than the 5m lookback; live-scraped values lag by at most one scrape interval). The value at t − W
 * is the last sample in the hour up to it, so between the points of an hourly backfill grid the
 * window start is off by less than an hour instead of the whole history counting as "in the window". Quantiles come from
 * `histogram_quantile` and are only bucket-accurate (the DORA band edges are bucket edges); means and
 * counts are exact. Deploy days evaluate `[1d]` differences at UTC midnights inside the window, so
 * they are exact when t is a UTC midnight; the subquery range is W − 1s so both Prometheus 2
 * (closed range) and 3 (left-open range) take the same W/1d points. Empty results mean zero.
 */
export function doraPromql(options: DoraPromqlOptions = {}): DoraPromqlQueries {
  const window = options.window ?? "28d";
  const wSeconds = durationToSeconds(window);
  if (!/^(\d+(ms|s|m|h|d|w|y))+$/.test(window) || wSeconds <= 0) throw new Error(`invalid window: ${window}`);
  const days = wSeconds / 86_400;
  const env = options.environment ?? "production";
  const by = options.by ? ` by (${options.by})` : "";
  const byLe = options.by ? ` by (le, ${options.by})` : " by (le)";

  const matchers = (withEnv: boolean, extra: Record<string, string> = {}) => {
    const m: string[] = [];
    if (withEnv) m.push(`environment=${promqlString(env)}`);
    if (options.service !== undefined) m.push(`service=${promqlString(options.service)}`);
    if (options.team !== undefined) m.push(`team=${promqlString(options.team)}`);
    if (options.services !== undefined) {
      // RE2-escaped alternatives; no services is `service=""`, which no exporter series has.
      const alts = options.services.map((x) => x.replace(/[\\.+*?()|[\]{}^$]/g, "\\$&"));
      m.push(alts.length ? `service=~${promqlString(alts.join("|"))}` : `service=""`);
    }
    for (const [k, v] of Object.entries(extra)) m.push(`${k}=${promqlString(v)}`);
    return `{${m.join(",")}}`;
  };
  const sel = (name: string, withEnv: boolean, extra?: Record<string, string>) => `${name}${matchers(withEnv, extra)}`;
  // The value W ago is the last sample in the hour before it (last_over_time), not an instant lookup
  // with the 5m lookback: backfilled history is often hourly, and an instant `offset W` would find
  // no sample between grid points, so the whole counter would count as "in the window".
  const delta = (s: string, w = window) => `(${s} - last_over_time(${s}[1h] offset ${w}) or ${s})`;
  const total = (s: string) => `sum${by} ${delta(s)}`;
  const hist = (base: string, withEnv: boolean) => ({
    q: (q: number) => `histogram_quantile(${q}, sum${byLe} (${delta(sel(`${base}_bucket`, withEnv))}))`,
    mean: `${total(sel(`${base}_sum`, withEnv))} / ${total(sel(`${base}_count`, withEnv))}`,
    count: total(sel(`${base}_count`, withEnv)),
  });

  const deploys = sel(DORA_METRICS.deployments, true);
  const successes = sel(DORA_METRICS.deployments, true, { result: "success" });
  const unplanned = sel(DORA_METRICS.deployments, true, { kind: "unplanned" });
  const failed = sel(DORA_METRICS.deploymentsFailed, true);
  const deployDays = `count_over_time((sum${by} (${delta(successes, "1d")}) > 0)[${secondsToDuration(wSeconds - 1)}:1d])`;
  const lead = hist(DORA_METRICS.leadTime, true);
  const ttr = hist(DORA_METRICS.timeToRestore, false);
  const rec = hist(DORA_METRICS.recovery, true);

  return {
    deployments: total(deploys),
    successfulDeployments: total(successes),
    deploymentsPerDay: `${total(successes)} / ${days}`,
    deployDays,
    deployDaysPerWeek: `${deployDays} / ${days / 7}`,
    leadTimeMedianSeconds: lead.q(0.5),
    leadTimeP90Seconds: lead.q(0.9),
    leadTimeMeanSeconds: lead.mean,
    leadTimeCount: lead.count,
    changeFailureRate: `${total(failed)} / ${total(deploys)}`,
    failedDeployments: total(failed),
    timeToRestoreMedianSeconds: ttr.q(0.5),
    timeToRestoreP90Seconds: ttr.q(0.9),
    timeToRestoreMeanSeconds: ttr.mean,
    timeToRestoreCount: ttr.count,
    recoveryMedianSeconds: rec.q(0.5),
    recoveryP90Seconds: rec.q(0.9),
    recoveryMeanSeconds: rec.mean,
    recoveryCount: rec.count,
    reworkRate: `${total(unplanned)} / ${total(deploys)}`,
    incidents: total(sel(DORA_METRICS.incidents, false)),
  };
}
