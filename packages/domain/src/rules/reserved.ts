/** Label names the generator sets itself; user labels may not use them. */
export const RESERVED_LABELS: ReadonlySet<string> = new Set([
  "slo",
  "service",
  "team",
  "tier",
  "slo_window",
  "slo_period",
  "severity",
  "burn_tier",
  "long_window",
  "short_window",
  "alertname",
  "alertstate",
  "name",
  "objective",
]);
