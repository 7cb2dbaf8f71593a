import {
  doraEvents,
  INCIDENT_ENVIRONMENT,
  resolveFailures,
  toMs,
  type DoraDeployment,
  type DoraEvent,
  type DoraEventOptions,
  type DoraIncident,
  type Timestamp,
} from "./model";

export interface DurationStats {
  count: number;
  /** Seconds; null when count is 0. Quantiles interpolate linearly between order statistics. */
  medianSeconds: number | null;
  p90Seconds: number | null;
  meanSeconds: number | null;
}

export interface DoraMetrics {
  deployments: {
    /** Deployments finished in the window, any result. Denominator of CFR and rework rate. */
    total: number;
    successful: number;
    /** Finished in the window and failed (result failure/rolled_back, or linked to an incident opened before `to`). */
    failed: number;
    /** Failures *recognised* in the window (what `burnrate_deployments_failed_total` counts; see computeDora). */
    failuresRecognized: number;
    unplanned: number;
  };
  deploymentFrequency: {
    /** Successful deployments per day. */
    perDay: number;
    /**
     * Days with at least one successful deployment, the days counted back from the window end in
     * 24h steps (so a 7-day window has at most 7; they are UTC days when the window ends at a UTC
     * midnight, as the DORA view's windows do).
     */
    deployDays: number;
    deployDaysPerWeek: number;
  };
  /** Commit → successful deployment finish, one observation per change. */
  leadTime: DurationStats;
  /** failed / total; null without deployments. */
  changeFailureRate: number | null;
  /** Incidents resolved in the window: resolvedAt − openedAt. */
  timeToRestore: DurationStats;
  /** Failed deployments recovered in the window: recovery − deployment finish. */
  failedDeploymentRecoveryTime: DurationStats;
  /** unplanned / total; null without deployments. */
  reworkRate: number | null;
  incidents: { opened: number; resolved: number };
}

export interface DoraReport {
  window: {
    from: string;
    to: string;
    days: number;
    environment: string;
    /**
     * Earliest recorded deployment or incident (any scope, any environment), or null without any:
     * a window that starts before it is only partly covered by data.
     */
    dataFrom: string | null;
    /** Days of the window covered by data: (to − max(from, dataFrom)) in days, 0 without data. */
    coveredDays: number;
  };
  overall: DoraMetrics;
  byService: Record<string, DoraMetrics>;
  byTeam: Record<string, DoraMetrics>;
}

export interface ComputeDoraOptions extends DoraEventOptions {
  from: Timestamp;
  to: Timestamp;
  environment?: string;
}

const DAY_MS = 86_400_000;

/** Linear-interpolation quantile (Hyndman–Fan type 7, as numpy/R default) of sorted values. */
export function quantile(sorted: number[], q: number): number | null {
  if (sorted.length === 0) return null;
  const pos = (sorted.length - 1) * q;
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  const a = sorted[lo] ?? 0;
  return a + ((sorted[hi] ?? a) - a) * (pos - lo);
}

export function durationStats(values: number[]): DurationStats {
  const sorted = [...values].sort((a, b) => a - b);
  const sum = sorted.reduce((a, b) => a + b, 0);
  return {
    count: sorted.length,
    medianSeconds: quantile(sorted, 0.5),
    p90Seconds: quantile(sorted, 0.9),
    meanSeconds: sorted.length ? sum / sorted.length : null,
  };
}

type Scope = (e: { service: string; team: string }) => boolean;

function metricsFor(
  events: DoraEvent[],
  failedDeploymentIds: Set<string>,
  scope: Scope,
  from: number,
  to: number,
  environment: string,
): DoraMetrics {
  const days = (to - from) / DAY_MS;
  const inWin = (t: number) => t >= from && t < to;
  const envOk = (env: string) => env === environment;
  const incidentsApply = environment === INCIDENT_ENVIRONMENT;
  let total = 0, successful = 0, failed = 0, recognized = 0, unplanned = 0, opened = 0;
  const deployDays = new Set<number>();
  const lead: number[] = [], restore: number[] = [], recovery: number[] = [];
  for (const e of events) {
    if (!inWin(e.t) || !scope(e)) continue;
    switch (e.type) {
      case "deployment":
        if (!envOk(e.environment)) break;
        total++;
        if (e.result === "success") {
          successful++;
          // 24h days counted back from `to` (times are integral ms): [to − 1d, to) is day 0.
          deployDays.add(Math.floor((to - 1 - e.t) / DAY_MS));
        }
        if (e.kind === "unplanned") unplanned++;
        if (failedDeploymentIds.has(e.deploymentId)) failed++;
        break;
      case "lead_time":
        if (envOk(e.environment)) lead.push(e.seconds);
        break;
      case "deployment_failed":
        if (envOk(e.environment)) recognized++;
        break;
      case "recovery":
        if (envOk(e.environment)) recovery.push(e.seconds);
        break;
      case "incident_opened":
        if (incidentsApply) opened++;
        break;
      case "restore":
        if (incidentsApply) restore.push(e.seconds);
        break;
    }
  }
  return {
    deployments: { total, successful, failed, failuresRecognized: recognized, unplanned },
    deploymentFrequency: {
      perDay: days > 0 ? successful / days : 0,
      deployDays: deployDays.size,
      deployDaysPerWeek: days > 0 ? deployDays.size / (days / 7) : 0,
    },
    leadTime: durationStats(lead),
    changeFailureRate: total > 0 ? failed / total : null,
    timeToRestore: durationStats(restore),
    failedDeploymentRecoveryTime: durationStats(recovery),
    reworkRate: total > 0 ? unplanned / total : null,
    incidents: { opened, resolved: restore.length },
  };
}

/**
 * DORA metrics over the half-open window [from, to) for one environment (default `production`),
 * overall, per service and per team.
 *
 * Definitions (each matches a series of the Prometheus exporter; see `doraPromql`):
 * - Deployment frequency: successful deployments finished in the window ÷ window days; deploy days =
 *   days with a successful deployment (fourkeys/DevLake style; 24h days counted back from `to`, UTC
 *   days when `to` is a UTC midnight), per week; a 7-day window has at most 7.
 * - Lead time for changes: per commit, successful-deployment finish − committedAt (authoredAt as
 *   fallback); each commit counts once (first successful deployment shipping it); ≤ 0 is dropped.
 * - Change failure rate: deployments finished in the window that failed (result failure or
 *   rolled_back, or linked to an incident opened before `to`) ÷ deployments finished in the window.
 *   The exporter counts a failure when it is *recognised* (finish, or first incident link), so
 *   PromQL equals `failuresRecognized / total`; the two differ only by failures that straddle the
 *   window start (deployment before `from`, incident after it).
 * - Time to restore: incidents resolved in the window, resolvedAt − openedAt (median, p90, mean).
 * - Failed deployment recovery time (DORA 2023+): failed deployments recovered in the window,
 *   recovery − deployment finish; recovery = last linked incident resolved, or the next successful
 *   deployment of the service when no incident is linked.
 * - Rework rate (DORA 2024): unplanned deployments ÷ all deployments in the window.
 */
export function computeDora(deployments: DoraDeployment[], incidents: DoraIncident[], options: ComputeDoraOptions): DoraReport {
  const from = toMs(options.from);
  const to = toMs(options.to);
  if (!(to > from)) throw new Error("computeDora: `to` must be after `from`");
  const environment = options.environment ?? "production";
  const events = doraEvents(deployments, incidents, options);
  const failures = resolveFailures(deployments, incidents);
  // Failed as known at `to`: finished failed, or linked to an incident opened before `to`.
  const failed = new Set<string>();
  for (const [id, f] of failures) if (f.failedAt < to) failed.add(id);

  const services = new Set<string>();
  const teams = new Set<string>();
  for (const e of events) {
    if (e.t < from || e.t >= to) continue;
    if ("environment" in e && e.environment !== environment) continue;
    services.add(e.service);
    teams.add(e.team);
  }
  let first = Infinity;
  for (const e of events) first = Math.min(first, e.t);
  const dataFrom = Number.isFinite(first) ? first : null;
  const coveredDays = dataFrom === null || dataFrom >= to ? 0 : (to - Math.max(from, dataFrom)) / DAY_MS;
  const byService: Record<string, DoraMetrics> = {};
  for (const s of [...services].sort()) byService[s] = metricsFor(events, failed, (e) => e.service === s, from, to, environment);
  const byTeam: Record<string, DoraMetrics> = {};
  for (const t of [...teams].sort()) byTeam[t] = metricsFor(events, failed, (e) => e.team === t, from, to, environment);
  return {
    window: {
      from: new Date(from).toISOString(),
      to: new Date(to).toISOString(),
      days: (to - from) / DAY_MS,
      environment,
      dataFrom: dataFrom === null ? null : new Date(dataFrom).toISOString(),
      coveredDays,
    },
    overall: metricsFor(events, failed, () => true, from, to, environment),
    byService,
    byTeam,
  };
}

/** Metrics of a window with no events (every ratio and duration no data, frequencies zero). */
export function emptyDoraMetrics(): DoraMetrics {
  return metricsFor([], new Set(), () => false, 0, DAY_MS, INCIDENT_ENVIRONMENT);
}

/**
 * The metrics of one scope of a report: a service, a team, or everything. A scope without events
 * in the window (a team whose services were all deleted, a service that never deployed) gets
 * empty metrics, so it reads "no data" with reasons instead of disappearing.
 */
export function doraScope(report: DoraReport, scope: { service?: string; team?: string }): DoraMetrics {
  const m = scope.service !== undefined ? report.byService[scope.service] : scope.team !== undefined ? report.byTeam[scope.team] : report.overall;
  return m ?? emptyDoraMetrics();
}

/**
 * The window of the DORA view: the `days` whole UTC days ending at the last UTC midnight at or
 * before `now` (today, still in progress, is left out). Deploy days are then UTC days, weeks are
 * whole, and PromQL evaluated at `to` equals `computeDora` exactly (see `doraPromql`).
 */
export function doraWindow(now: number, days: number): { from: number; to: number } {
  if (!Number.isFinite(now)) throw new Error("doraWindow: `now` must be a finite epoch-ms instant");
  if (!(Number.isInteger(days) && days > 0)) throw new Error("doraWindow: `days` must be a positive integer");
  const to = Math.floor(now / DAY_MS) * DAY_MS;
  return { from: to - days * DAY_MS, to };
}
