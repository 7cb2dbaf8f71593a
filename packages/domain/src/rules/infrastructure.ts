import { INFRASTRUCTURE_RULE_FILE, RULE_NAMES } from "./names";
import type { AlertingRule, GenerationOptions, RuleGroupSet, RuleIntervals } from "./types";

function alert(name: string, expr: string, forDur: string, severity: "page" | "ticket", summary: string, description: string): AlertingRule {
  return { alert: name, expr, for: forDur, labels: { severity }, annotations: { description, summary } };
}

/**
 * Health alerts for the monitoring pipeline itself: scrape targets, Prometheus rule evaluation and
 * config reloads, Alertmanager notifications and Prometheus resource saturation. `ServiceDown`
 * joins `slo:info` to get the owning team and tier, so Alertmanager routes it to the team and
 * inhibits that service's SLO alerts (an outage already pages once).
 */
export function infrastructureRuleSet(opts: GenerationOptions, iv: RuleIntervals): RuleGroupSet {
  const memory = opts.infrastructure?.prometheusMemoryBytes ?? 4 * 1024 ** 3;
  const series = opts.infrastructure?.prometheusHeadSeries ?? 2_000_000;
  const down = `(max by (service) (up{service!=""}) == 0)`;
  const teams = `topk by (service) (1, max by (service, team, tier) (${RULE_NAMES.info}))`;
  const rules: AlertingRule[] = [
    alert(
      "ServiceDown",
      `${down} * on (service) group_left (team, tier) ${teams} or on (service) ${down}`,
      "2m",
      "page",
      "Every scrape target of service {{ $labels.service }} is down",
      "All targets labelled service={{ $labels.service }} have failed their scrapes for 2 minutes. SLO alerts of this service are inhibited while this fires.",
    ),
    alert(
      "TargetDown",
      "up == 0",
      "5m",
      "ticket",
      "Scrape target {{ $labels.instance }} of job {{ $labels.job }} is down",
      "Prometheus has failed to scrape {{ $labels.instance }} (job {{ $labels.job }}) for 5 minutes; SLIs that use its metrics may be incomplete.",
    ),
    alert(
      "PrometheusRuleEvaluationFailures",
      "increase(prometheus_rule_evaluation_failures_total[5m]) > 0",
      "5m",
      "ticket",
      "Prometheus {{ $labels.instance }} fails to evaluate rules",
      "{{ $value | humanize }} rule evaluations failed in the last 5 minutes in {{ $labels.rule_group }}; SLO recording rules or alerts may be stale.",
    ),
    alert(
      "PrometheusRuleGroupIterationsMissed",
      "increase(prometheus_rule_group_iterations_missed_total[10m]) > 0",
      "10m",
      "ticket",
      "Prometheus {{ $labels.instance }} misses rule group evaluations",
      "Rule group {{ $labels.rule_group }} missed {{ $value | humanize }} evaluations in 10 minutes: evaluation takes longer than the group interval.",
    ),
    alert(
      "PrometheusConfigReloadFailed",
      "max_over_time(prometheus_config_last_reload_successful[5m]) == 0",
      "5m",
      "ticket",
      "Prometheus {{ $labels.instance }} failed to reload its configuration",
      "The last configuration reload failed, so the previous rules stay active and rule changes are not applied. Run promtool check rules on the rule files.",
    ),
    alert(
      "AlertmanagerConfigReloadFailed",
      "max_over_time(alertmanager_config_last_reload_successful[5m]) == 0",
      "5m",
      "ticket",
      "Alertmanager {{ $labels.instance }} failed to reload its configuration",
      "The last Alertmanager configuration reload failed; routing changes are not applied. Run amtool check-config.",
    ),
    alert(
      "AlertmanagerNotificationsFailing",
      "sum by (instance, integration) (rate(alertmanager_notifications_failed_total[5m])) > 0",
      "10m",
      "ticket",
      "Alertmanager {{ $labels.instance }} fails to send {{ $labels.integration }} notifications",
      "{{ $value | humanize }} notifications per second fail for integration {{ $labels.integration }}; pages may not reach on-call.",
    ),
    alert(
      "PrometheusNotificationsFailing",
      "rate(prometheus_notifications_errors_total[5m]) > 0",
      "10m",
      "ticket",
      "Prometheus {{ $labels.instance }} cannot deliver alerts to Alertmanager",
      "Sending alerts to {{ $labels.alertmanager }} fails at {{ $value | humanize }} errors per second.",
    ),
    alert(
      "PrometheusTSDBCompactionsFailing",
      "increase(prometheus_tsdb_compactions_failed_total[3h]) > 0",
      "1m",
      "ticket",
      "Prometheus {{ $labels.instance }} TSDB compactions are failing",
      "{{ $value | humanize }} compactions failed in 3 hours; disk usage will grow and queries slow down.",
    ),
    alert(
      "PrometheusHighMemory",
      `process_resident_memory_bytes > ${memory} and on (job, instance) prometheus_build_info`,
      "15m",
      "ticket",
      "Prometheus {{ $labels.instance }} uses {{ $value | humanize1024 }}B of memory",
      `Resident memory is above ${memory} bytes for 15 minutes; rule evaluation may be slowed or the server killed. Reduce series or SLO count, or add memory.`,
    ),
    alert(
      "PrometheusHighSeriesCount",
      `prometheus_tsdb_head_series > ${series}`,
      "15m",
      "ticket",
      "Prometheus {{ $labels.instance }} holds {{ $value | humanize }} head series",
      `More than ${series} series are in the head block; memory and rule evaluation cost grow with series count.`,
    ),
  ];
  rules.sort((a, b) => (a.alert < b.alert ? -1 : a.alert > b.alert ? 1 : 0));
  return {
    path: INFRASTRUCTURE_RULE_FILE,
    slo: null,
    team: null,
    service: null,
    groups: [{ name: "burnrate-infrastructure", interval: iv.infrastructure, rules }],
  };
}
