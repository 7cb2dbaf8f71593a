import { toMs, type DoraDeployment, type Timestamp } from "./model";

export interface BudgetSample {
  t: Timestamp;
  /** Error budget remaining ratio (`slo:error_budget_remaining:ratio`): 1 = untouched, can go negative. */
  value: number;
}

export interface BudgetSeries {
  slo: string;
  service: string;
  samples: BudgetSample[];
}

export interface BudgetBurnOptions {
  /** Minimum drop in budget-remaining ratio to report (0.05 = 5% of the budget). Default 0.05. */
  threshold?: number;
  /** Look this many hours after the deployment finish. Default 4. */
  withinHours?: number;
  /** Only correlate SLOs of the deployed service (default true); false checks every SLO. */
  sameServiceOnly?: boolean;
  /** Only deployments in this environment (default production). */
  environment?: string;
}

export interface BudgetBurn {
  deploymentId: string;
  service: string;
  slo: string;
  /** Budget remaining at (or just before) the deployment finish. */
  before: number;
  /** Lowest budget remaining within the look-ahead. */
  lowest: number;
  /** before − lowest, in budget ratio units. */
  drop: number;
  /** ISO time of the lowest sample. */
  lowestAt: string;
}

/**
 * Deployments followed by an error-budget drop larger than `threshold` within `withinHours`:
 * the baseline is the last sample at or before the deployment finish; the drop is measured to the
 * lowest sample in (finish, finish + withinHours]. Correlation, not causation: overlapping deploys
 * of one service all get the same drop. Sorted by drop, largest first.
 */
export function deploysThatBurnedBudget(
  deployments: DoraDeployment[],
  budgetSeries: BudgetSeries[],
  options: BudgetBurnOptions = {},
): BudgetBurn[] {
  const threshold = options.threshold ?? 0.05;
  const horizon = (options.withinHours ?? 4) * 3_600_000;
  const sameService = options.sameServiceOnly ?? true;
  const env = options.environment ?? "production";
  const series = budgetSeries.map((s) => ({
    ...s,
    pts: s.samples.map((p) => ({ t: toMs(p.t), v: p.value })).filter((p) => Number.isFinite(p.v)).sort((a, b) => a.t - b.t),
  }));
  const out: BudgetBurn[] = [];
  for (const d of deployments) {
    if (d.environment !== env) continue;
    const t0 = toMs(d.finishedAt);
    for (const s of series) {
      if (sameService && s.service !== d.service) continue;
      let before: number | undefined;
      let lowest: { t: number; v: number } | undefined;
      for (const p of s.pts) {
        if (p.t <= t0) before = p.v;
        else if (p.t <= t0 + horizon) {
          if (!lowest || p.v < lowest.v) lowest = p;
        } else break;
      }
      if (before === undefined || !lowest) continue;
      const drop = before - lowest.v;
      if (drop > threshold) {
        out.push({ deploymentId: d.id, service: d.service, slo: s.slo, before, lowest: lowest.v, drop, lowestAt: new Date(lowest.t).toISOString() });
      }
    }
  }
  return out.sort((a, b) => b.drop - a.drop || a.deploymentId.localeCompare(b.deploymentId));
}
