import { figureOf, known, noData, type Figure } from "../figure";
import type { DoraMetrics } from "./compute";
import type { DoraPromqlQueries } from "./promql";

/**
 * The DORA keys as figures: one definition of each key and of its "no data" reason, shared by the
 * database path (`doraFiguresFromMetrics`) and the PromQL path (`doraFiguresFromPromql`), so the
 * API, the DORA page and the exporter equality test compare like with like. A ratio or duration
 * whose denominator is zero is no data with a reason (PromQL gives NaN, or nothing, for 0 ÷ 0; the
 * database gives null); the reason is decided from the same counts on both paths, never from the
 * shape of the PromQL answer.
 */
export const DORA_FIGURE_KEYS = [
  "deploymentsPerDay",
  "deployDaysPerWeek",
  "leadTimeMedianSeconds",
  "leadTimeP90Seconds",
  "leadTimeMeanSeconds",
  "changeFailureRate",
  "timeToRestoreMedianSeconds",
  "timeToRestoreP90Seconds",
  "timeToRestoreMeanSeconds",
  "recoveryMedianSeconds",
  "recoveryP90Seconds",
  "recoveryMeanSeconds",
  "reworkRate",
] as const;
export type DoraFigureKey = (typeof DORA_FIGURE_KEYS)[number];
export type DoraFigures = Record<DoraFigureKey, Figure<number>>;

/** The counts every "no data" reason is decided from. */
export interface DoraCounts {
  /** Deployments finished in the window, any result. */
  deployments: number;
  successful: number;
  /** Changes with a lead time (commit data) shipped in the window. */
  leadTimes: number;
  /** Incidents resolved in the window. */
  restores: number;
  /** Failed deployments recovered in the window. */
  recoveries: number;
}

export const DORA_NO_DATA = {
  deployments: "no deployments in the window",
  successful: "no successful deployments in the window",
  leadTimes: "no deployments with commit data",
  restores: "no incidents resolved in the window",
  recoveries: "no failed deployments recovered in the window",
} as const;

function leadReason(c: DoraCounts): string | null {
  if (c.successful === 0) return DORA_NO_DATA.successful;
  return c.leadTimes === 0 ? DORA_NO_DATA.leadTimes : null;
}

/** Builds the figures from raw values (null, NaN or ±Inf where a source had no answer) and the counts. */
export function doraFigures(values: Partial<Record<DoraFigureKey, number | null>>, c: DoraCounts): DoraFigures {
  const gated = (v: number | null | undefined, reason: string | null, fallback: string): Figure<number> =>
    reason !== null ? noData(reason) : figureOf(v, fallback);
  const lead = leadReason(c);
  const deploys = c.deployments === 0 ? DORA_NO_DATA.deployments : null;
  const restores = c.restores === 0 ? DORA_NO_DATA.restores : null;
  const recoveries = c.recoveries === 0 ? DORA_NO_DATA.recoveries : null;
  const missing = "no answer from the data source";
  return {
    // Zero deployments a day is an answer, not a lack of data.
    deploymentsPerDay: known(finiteOr0(values.deploymentsPerDay)),
    deployDaysPerWeek: known(finiteOr0(values.deployDaysPerWeek)),
    leadTimeMedianSeconds: gated(values.leadTimeMedianSeconds, lead, missing),
    leadTimeP90Seconds: gated(values.leadTimeP90Seconds, lead, missing),
    leadTimeMeanSeconds: gated(values.leadTimeMeanSeconds, lead, missing),
    changeFailureRate: gated(values.changeFailureRate, deploys, missing),
    timeToRestoreMedianSeconds: gated(values.timeToRestoreMedianSeconds, restores, missing),
    timeToRestoreP90Seconds: gated(values.timeToRestoreP90Seconds, restores, missing),
    timeToRestoreMeanSeconds: gated(values.timeToRestoreMeanSeconds, restores, missing),
    recoveryMedianSeconds: gated(values.recoveryMedianSeconds, recoveries, missing),
    recoveryP90Seconds: gated(values.recoveryP90Seconds, recoveries, missing),
    recoveryMeanSeconds: gated(values.recoveryMeanSeconds, recoveries, missing),
    reworkRate: gated(values.reworkRate, deploys, missing),
  };
}

function finiteOr0(v: number | null | undefined): number {
  return v !== null && v !== undefined && Number.isFinite(v) ? v : 0;
}

/** Figures from the database computation (`computeDora`). */
export function doraFiguresFromMetrics(m: DoraMetrics): DoraFigures {
  return doraFigures(
    {
      deploymentsPerDay: m.deploymentFrequency.perDay,
      deployDaysPerWeek: m.deploymentFrequency.deployDaysPerWeek,
      leadTimeMedianSeconds: m.leadTime.medianSeconds,
      leadTimeP90Seconds: m.leadTime.p90Seconds,
      leadTimeMeanSeconds: m.leadTime.meanSeconds,
      changeFailureRate: m.changeFailureRate,
      timeToRestoreMedianSeconds: m.timeToRestore.medianSeconds,
      timeToRestoreP90Seconds: m.timeToRestore.p90Seconds,
      timeToRestoreMeanSeconds: m.timeToRestore.meanSeconds,
      recoveryMedianSeconds: m.failedDeploymentRecoveryTime.medianSeconds,
      recoveryP90Seconds: m.failedDeploymentRecoveryTime.p90Seconds,
      recoveryMeanSeconds: m.failedDeploymentRecoveryTime.meanSeconds,
      reworkRate: m.reworkRate,
    },
    { deployments: m.deployments.total, successful: m.deployments.successful, leadTimes: m.leadTime.count, restores: m.timeToRestore.count, recoveries: m.failedDeploymentRecoveryTime.count },
  );
}

/**
 * Figures from the answers to `doraPromql` (one scalar per query; null for an empty result, which
 * for a count means zero: the exporter exposes no series for a scope without events).
 */
export function doraFiguresFromPromql(values: Partial<Record<keyof DoraPromqlQueries, number | null>>): DoraFigures {
  const count = (v: number | null | undefined) => (v !== null && v !== undefined && Number.isFinite(v) ? v : 0);
  return doraFigures(values, {
    deployments: count(values.deployments),
    successful: count(values.successfulDeployments),
    leadTimes: count(values.leadTimeCount),
    restores: count(values.timeToRestoreCount),
    recoveries: count(values.recoveryCount),
  });
}
