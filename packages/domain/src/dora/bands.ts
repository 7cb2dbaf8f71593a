import type { DoraMetrics } from "./compute";

/**
 * Versioned DORA benchmark bands. DORA moves the cluster boundaries every year, so classification
 * always names the set it used (DevLake does the same with its `dora_report` switch).
 *
 * Every band is a list of upper bounds checked in order (first match wins); a metric value above
 * the last bound is `low`. Interpretation choices where the report leaves gaps or overlaps are
 * written next to each set, with sources.
 */
export type DoraLevel = "elite" | "high" | "medium" | "low";
export type DoraBandSetId = "2024" | "2023" | "2021";

const HOUR = 3600;
const DAY = 86_400;
const WEEK = 7 * DAY;
const MONTH = 30 * DAY;
const SIX_MONTHS = 180 * DAY;

interface Threshold {
  level: Exclude<DoraLevel, "low">;
  /** Inclusive for ratios (CFR ≤ bound), exclusive for durations (lead time < bound). */
  bound: number;
}

export interface DoraBandSet {
  id: DoraBandSetId;
  title: string;
  sources: string[];
  /** Successful deployments per day; higher is better: level when perDay ≥ bound. */
  deploymentFrequencyPerDay: Threshold[];
  /** Median lead time seconds; level when median < bound. */
  leadTimeSeconds: Threshold[];
  /** Change failure rate ratio; level when rate ≤ bound. */
  changeFailureRate: Threshold[];
  /** Median failed-deployment recovery / time-to-restore seconds; level when median < bound. */
  recoverySeconds: Threshold[];
  notes: string[];
}

export const DORA_BAND_SETS: Record<DoraBandSetId, DoraBandSet> = {
  "2024": {
    id: "2024",
    title: "Accelerate State of DevOps Report 2024",
    sources: [
      "DORA, Accelerate State of DevOps Report 2024 (software delivery performance clusters)",
      "docs: /work/shared/docs/slo-dora-anchors.md §6.2",
    ],
    // Elite: on demand (multiple/day); High: daily–weekly; Medium: weekly–monthly; Low: monthly–6-monthly.
    deploymentFrequencyPerDay: [
      { level: "elite", bound: 1 },
      { level: "high", bound: 1 / 7 },
      { level: "medium", bound: 1 / 30 },
    ],
    // Elite < 1 day; High 1 day–1 week; Medium 1 week–1 month; Low 1–6 months (and beyond).
    leadTimeSeconds: [
      { level: "elite", bound: DAY },
      { level: "high", bound: WEEK },
      { level: "medium", bound: MONTH },
    ],
    // Reported cluster values: Elite 5%, High 20%, Medium 10%, Low 40% (not monotonic: Medium < High
    // is real in the 2024 data). We classify to the nearest reported cluster value, boundaries at the
    // midpoints of the sorted values 5/10/20/40: ≤7.5% elite, ≤15% medium, ≤30% high, else low.
    changeFailureRate: [
      { level: "elite", bound: 0.075 },
      { level: "medium", bound: 0.15 },
      { level: "high", bound: 0.3 },
    ],
    // Elite < 1 hour; High < 1 day; Medium "< 1 day" as reported (same as High); Low 1 week–1 month.
    // Medium cannot be told apart from High by the reported bound, so 1 day–1 week is Medium.
    recoverySeconds: [
      { level: "elite", bound: HOUR },
      { level: "high", bound: DAY },
      { level: "medium", bound: WEEK },
    ],
    notes: [
      "CFR bands are nearest-cluster (2024 Medium 10% < High 20%).",
      "Failed deployment recovery Medium is reported as '< 1 day' like High; we use 1 day–1 week.",
      "Deployment rework rate (5th metric) has no published tiered bands; it is not classified.",
      "The 2025 report replaced the tiers with team archetypes; 2024 is the latest tiered set.",
    ],
  },
  "2023": {
    id: "2023",
    title: "Accelerate State of DevOps Report 2023 (as applied by Apache DevLake)",
    sources: [
      "DORA, Accelerate State of DevOps Report 2023",
      "Apache DevLake DORA dashboards (2023 benchmark switch)",
      "docs: /work/shared/docs/slo-dora-anchors.md §6.2/§6.3",
    ],
    // Not restated in our anchor doc for 2023: same boundaries as the 2024 set (on demand / daily–weekly / weekly–monthly).
    deploymentFrequencyPerDay: [
      { level: "elite", bound: 1 },
      { level: "high", bound: 1 / 7 },
      { level: "medium", bound: 1 / 30 },
    ],
    leadTimeSeconds: [
      { level: "elite", bound: DAY },
      { level: "high", bound: WEEK },
      { level: "medium", bound: MONTH },
    ],
    // Report: Elite 5%, High 10%, Medium 15%, Low 64%; DevLake bands 0–5 / 5–10 / 10–15 / >15%.
    changeFailureRate: [
      { level: "elite", bound: 0.05 },
      { level: "high", bound: 0.1 },
      { level: "medium", bound: 0.15 },
    ],
    // FDRT < 1 hour / < 1 day / 1 day–1 week / low beyond (DevLake uses > 1 week).
    recoverySeconds: [
      { level: "elite", bound: HOUR },
      { level: "high", bound: DAY },
      { level: "medium", bound: WEEK },
    ],
    notes: ["2023 renamed 'time to restore' to 'failed deployment recovery time'."],
  },
  "2021": {
    id: "2021",
    title: "Accelerate State of DevOps Report 2021 (fourkeys / DevLake default)",
    sources: [
      "DORA, Accelerate State of DevOps Report 2021",
      "dora-team/fourkeys METRICS.md; Apache DevLake DORA dashboards",
      "docs: /work/shared/docs/slo-dora-anchors.md §6.1/§6.2",
    ],
    // Elite on demand; High weekly–monthly; Medium monthly–6-monthly; Low < once per 6 months.
    // Gap (weekly–daily) counts as High.
    deploymentFrequencyPerDay: [
      { level: "elite", bound: 1 },
      { level: "high", bound: 1 / 30 },
      { level: "medium", bound: 1 / 180 },
    ],
    // Elite < 1 hour; High 1 day–1 week; Medium 1–6 months; Low > 6 months.
    // Gaps: 1 hour–1 day counts as High, 1 week–1 month as Medium.
    leadTimeSeconds: [
      { level: "elite", bound: HOUR },
      { level: "high", bound: WEEK },
      { level: "medium", bound: SIX_MONTHS },
    ],
    // Elite 0–15%; High, Medium and Low all 16–30% in the report: ≤30% is High, above is Low.
    changeFailureRate: [
      { level: "elite", bound: 0.15 },
      { level: "high", bound: 0.3 },
    ],
    // Time to restore: < 1 hour / < 1 day / 1 day–1 week / Low > 6 months (gap 1 week–6 months is Low).
    recoverySeconds: [
      { level: "elite", bound: HOUR },
      { level: "high", bound: DAY },
      { level: "medium", bound: WEEK },
    ],
    notes: ["The 2021 CFR bands cannot separate High/Medium/Low (all 16–30%); Medium is never assigned."],
  },
};

export const DEFAULT_DORA_BAND_SET: DoraBandSetId = "2024";

export interface DoraClassification {
  set: DoraBandSetId;
  deploymentFrequency: DoraLevel;
  /** null when there is no data for the metric. */
  leadTime: DoraLevel | null;
  changeFailureRate: DoraLevel | null;
  /** Uses failed-deployment recovery time when available, else time to restore. */
  recovery: DoraLevel | null;
  /** The lowest of the classified metrics (DORA's "overall" is a cluster, this is a conservative summary). */
  overall: DoraLevel | null;
}

const ORDER: DoraLevel[] = ["elite", "high", "medium", "low"];

function higherIsBetter(value: number, t: Threshold[]): DoraLevel {
  for (const x of t) if (value >= x.bound) return x.level;
  return "low";
}
function lowerIsBetter(value: number, t: Threshold[], inclusive: boolean): DoraLevel {
  for (const x of t) if (inclusive ? value <= x.bound : value < x.bound) return x.level;
  return "low";
}

/** Classifies metrics into elite/high/medium/low with the given band set (default 2024). */
export function classifyDora(metrics: DoraMetrics, set: DoraBandSetId = DEFAULT_DORA_BAND_SET): DoraClassification {
  const b = DORA_BAND_SETS[set];
  if (!b) throw new Error(`unknown DORA band set: ${String(set)}`);
  const df = higherIsBetter(metrics.deploymentFrequency.perDay, b.deploymentFrequencyPerDay);
  const lt = metrics.leadTime.medianSeconds === null ? null : lowerIsBetter(metrics.leadTime.medianSeconds, b.leadTimeSeconds, false);
  const cfr = metrics.changeFailureRate === null ? null : lowerIsBetter(metrics.changeFailureRate, b.changeFailureRate, true);
  const recMedian = metrics.failedDeploymentRecoveryTime.medianSeconds ?? metrics.timeToRestore.medianSeconds;
  const rec = recMedian === null ? null : lowerIsBetter(recMedian, b.recoverySeconds, false);
  const levels = [df, lt, cfr, rec].filter((l): l is DoraLevel => l !== null);
  const overall = levels.length ? levels.reduce((a, l) => (ORDER.indexOf(l) > ORDER.indexOf(a) ? l : a)) : null;
  return { set, deploymentFrequency: df, leadTime: lt, changeFailureRate: cfr, recovery: rec, overall };
}
