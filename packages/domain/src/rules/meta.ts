import type { AlertingRule, RuleGroupSet } from "./types";

/** File name of the rules that watch Burnrate itself (pushed with the catalogue). */
export const META_RULE_FILE = "burnrate-meta.yml";

/** Burnrate's own metrics (served by the app, read by the meta-alert rules below). */
export const BURNRATE_METRICS = {
  pushAttempts: "burnrate_push_attempts_total",
  pushFailures: "burnrate_push_failures_total",
  lastPushSuccess: "burnrate_push_last_success_timestamp_seconds",
  secondsSinceSuccess: "burnrate_push_seconds_since_last_success",
  targetFailing: "burnrate_target_failing",
  quarantinedSlos: "burnrate_quarantined_slos",
  heldPushes: "burnrate_push_held",
  reconcileDuration: "burnrate_reconcile_duration_seconds",
  reconcileLastRun: "burnrate_reconcile_last_run_timestamp_seconds",
  httpDuration: "burnrate_http_request_duration_seconds",
} as const;

/** Label that routes a meta alert: `admin` to the administrators' receiver, `watchdog` to the dead man's switch. */
export const META_ROUTE_LABEL = "burnrate_meta";

export type MetaAlertOptions = {
  /** A target failing for longer than this fires `BurnratePushFailing` (Prometheus duration, default 10m). */
  pushFailingFor?: string;
  /** An SLO not deployed for longer than this fires `BurnrateSloNotDeployed` (default 10m). */
  notDeployedFor?: string;
  /** No reconcile pass for this many seconds fires `BurnrateReconcilerStalled` (default 600). */
  stalledAfterSeconds?: number;
  /** Evaluation interval of the group (default 30s). */
  interval?: string;
};

function alert(name: string, expr: string, forDur: string, route: "admin" | "watchdog", summary: string, description: string): AlertingRule {
  return {
    alert: name,
    expr,
    ...(forDur ? { for: forDur } : {}),
    labels: { [META_ROUTE_LABEL]: route, severity: route === "admin" ? "ticket" : "none" },
    annotations: { description, summary },
  };
}

/**
 * Alerts on Burnrate itself: a push that keeps failing, an SLO whose rules are not deployed, a
 * reconciler that stopped, and an always-firing Watchdog for a dead man's switch (routed to its own
 * receiver, never to a pager). They read the metrics Burnrate serves, so Prometheus must scrape it.
 */
export function metaRuleSet(opts: MetaAlertOptions = {}): RuleGroupSet {
  const m = BURNRATE_METRICS;
  const pushFor = opts.pushFailingFor ?? "10m";
  const notDeployedFor = opts.notDeployedFor ?? "10m";
  const stalled = Math.max(1, Math.round(opts.stalledAfterSeconds ?? 600));
  const rules: AlertingRule[] = [
    alert(
      "BurnratePushFailing",
      `max by (target, kind) (${m.targetFailing}) > 0`,
      pushFor,
      "admin",
      "Burnrate cannot push to target {{ $labels.target }}",
      `Every push to {{ $labels.target }} ({{ $labels.kind }}) has failed for ${pushFor}: catalogue changes do not reach it. The targets page shows the failing stage.`,
    ),
    alert(
      "BurnrateSloNotDeployed",
      `max by (target) (${m.quarantinedSlos}) > 0`,
      notDeployedFor,
      "admin",
      "{{ $value }} SLO(s) are not deployed to {{ $labels.target }}",
      `Rules of {{ $value }} SLO(s) have not been deployed to {{ $labels.target }} for ${notDeployedFor}; their last good rules stay live. The targets page names each SLO and the reason.`,
    ),
    alert(
      "BurnrateReconcilerStalled",
      `time() - max(${m.reconcileLastRun}) > ${stalled} or absent(${m.reconcileLastRun})`,
      "1m",
      "admin",
      "Burnrate's reconciler has not run for a while",
      `No reconcile pass finished in the last ${stalled} s (or Prometheus does not scrape Burnrate): drift and catalogue changes are not applied.`,
    ),
    alert(
      "BurnrateWatchdog",
      "vector(1)",
      "",
      "watchdog",
      "Burnrate's alerting pipeline is alive",
      "Always firing. Route it to a dead man's switch that alerts when it stops arriving; never to a pager.",
    ),
  ];
  return { path: META_RULE_FILE, slo: null, team: null, service: null, groups: [{ name: "burnrate-meta", interval: opts.interval ?? "30s", rules }] };
}
