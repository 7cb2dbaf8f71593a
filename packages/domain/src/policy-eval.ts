import type { PolicyAction, PolicyCondition } from "./spec/policy";
import { durationToSeconds } from "./spec/common";

/** Live figures of one SLO, as read from the shared recording rules. */
export type SloLiveStatus = {
  /** Burn rate per recorded window, keyed by `slo_window` (e.g. "1h": 15.2). */
  burnRates: Record<string, number>;
  /** Remaining error budget over the period as a fraction (1 = untouched, < 0 = overspent). */
  budgetRemaining: number | null;
};

export type PolicyState = { state: PolicyAction | "ok"; reason: string; step: number | null };

/**
 * The recorded window closest to the wanted one (windows are scaled for 7d/28d SLOs, so a policy
 * that says "1h" reads the nearest recorded window, e.g. 56m for a 28d SLO).
 */
export function nearestWindow(wanted: string, available: string[]): string | null {
  const target = durationToSeconds(wanted);
  let best: string | null = null;
  let bestDist = Number.POSITIVE_INFINITY;
  for (const w of available) {
    const d = Math.abs(Math.log(durationToSeconds(w) / target));
    if (d < bestDist) {
      best = w;
      bestDist = d;
    }
  }
  return best !== null && bestDist < Math.log(2) ? best : null;
}

function matches(c: PolicyCondition, s: SloLiveStatus): string | null {
  if (c.type === "budget_remaining") {
    if (s.budgetRemaining === null) return null;
    const pct = s.budgetRemaining * 100;
    return pct < c.belowPercent ? `error budget remaining ${pct.toFixed(1)}% is below ${c.belowPercent}%` : null;
  }
  const w = nearestWindow(c.window, Object.keys(s.burnRates));
  const v = w ? s.burnRates[w] : undefined;
  if (v === undefined || !Number.isFinite(v)) return null;
  return v > c.above ? `burn rate over ${w} is ${v.toFixed(2)}× (above ${c.above}×)` : null;
}

/**
 * Evaluates an error-budget policy: steps are checked in order and the first that matches sets
 * the state. No match, or no data, is "ok".
 */
export function evaluatePolicy(steps: { condition: PolicyCondition; action: PolicyAction }[], status: SloLiveStatus): PolicyState {
  for (let i = 0; i < steps.length; i++) {
    const step = steps[i];
    if (!step) continue;
    const why = matches(step.condition, status);
    if (why) return { state: step.action, reason: why, step: i };
  }
  return { state: "ok", reason: "within policy", step: null };
}

/** Severity order used to sort the on-call board and to pick the worst state. */
export const POLICY_SEVERITY: Record<PolicyAction | "ok", number> = {
  incident_response: 6,
  feature_freeze: 5,
  page: 4,
  reliability_sprint: 3,
  ticket: 2,
  notify: 1,
  ok: 0,
};
