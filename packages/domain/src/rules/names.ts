/** Shared recording-rule and alert names (docs/contracts.md). */
export const RULE_NAMES = {
  errorRate5m: "slo:sli_error:rate5m",
  totalRate5m: "slo:sli_total:rate5m",
  errorRatio: "slo:sli_error:ratio",
  burnRate: "slo:burn_rate",
  objective: "slo:objective:ratio",
  errorBudget: "slo:error_budget:ratio",
  periodSeconds: "slo:period:seconds",
  budgetRemaining: "slo:error_budget_remaining:ratio",
  totalPeriod: "slo:sli_total:period",
  /** Seconds of the period that hold SLI data (a new SLO or Prometheus, or a gap, has less than the period). */
  coveragePeriod: "slo:sli_coverage:period_seconds",
  info: "slo:info",
  burnAlert: "SLOErrorBudgetBurn",
  exhaustedAlert: "SLOErrorBudgetExhausted",
  absentAlert: "SLOMetricAbsent",
} as const;

/** File name of the infrastructure health rules. */
export const INFRASTRUCTURE_RULE_FILE = "burnrate-infrastructure.yml";
