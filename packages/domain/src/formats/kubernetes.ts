import { generatedHeader, groupToObject, toYaml } from "../rules/render";
import type { RuleGroup, RuleGroupSet } from "../rules/types";

export type PrometheusRuleOptions = {
  version: string;
  /** Kubernetes namespace of the objects (omitted when not set). */
  namespace?: string;
  /** Extra metadata labels, e.g. the Prometheus `ruleSelector` labels (`release: prometheus`). */
  labels?: Record<string, string>;
};

function sorted(r: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(r).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

/** Object name of a rule set: the file name without `.yml` (e.g. `slo-checkout-availability`). */
export function ruleSetObjectName(set: RuleGroupSet): string {
  return set.path.replace(/\.ya?ml$/, "");
}

/**
 * Prometheus Operator `PrometheusRule` objects (monitoring.coreos.com/v1), one per rule set, as a
 * multi-document YAML stream with the generated-code header.
 */
export function toPrometheusRules(sets: RuleGroupSet[], opts: PrometheusRuleOptions): string {
  const docs = sets.map((s) => {
    const labels: Record<string, string> = { "app.kubernetes.io/managed-by": "burnrate", ...opts.labels };
    if (s.slo) labels["burnrate.dev/slo"] = s.slo;
    if (s.team) labels["burnrate.dev/team"] = s.team;
    if (s.service) labels["burnrate.dev/service"] = s.service;
    const metadata: Record<string, unknown> = { name: ruleSetObjectName(s) };
    if (opts.namespace) metadata.namespace = opts.namespace;
    metadata.labels = sorted(labels);
    return toYaml({ apiVersion: "monitoring.coreos.com/v1", kind: "PrometheusRule", metadata, spec: { groups: s.groups.map(groupToObject) } });
  });
  return generatedHeader(opts.version) + docs.join("---\n");
}

/** A Mimir ruler namespace and its rule groups. */
export type MimirNamespace = { namespace: string; groups: RuleGroup[] };

/** Namespace of the infrastructure rules in Mimir. */
export const MIMIR_INFRASTRUCTURE_NAMESPACE = "burnrate-infrastructure";

/**
 * Mimir ruler namespaces: one per team (SLO groups of all the team's SLOs, sorted by group name)
 * plus `burnrate-infrastructure`. Group names are unique per namespace because they derive from
 * globally unique SLO slugs.
 */
export function toMimirNamespaces(sets: RuleGroupSet[]): MimirNamespace[] {
  const byNs = new Map<string, RuleGroup[]>();
  for (const s of sets) {
    const ns = s.team ?? MIMIR_INFRASTRUCTURE_NAMESPACE;
    byNs.set(ns, [...(byNs.get(ns) ?? []), ...s.groups]);
  }
  return [...byNs.entries()]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([namespace, groups]) => ({ namespace, groups: [...groups].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0)) }));
}

/** One rule group as the YAML body of Mimir's `POST /prometheus/config/v1/rules/{namespace}`. */
export function renderRuleGroup(group: RuleGroup): string {
  return toYaml(groupToObject(group));
}

/** Namespaces in mimirtool's file format (`namespace:` + `groups:`), one YAML document each. */
export function renderMimirNamespaces(namespaces: MimirNamespace[], version: string): string {
  return (
    generatedHeader(version) +
    namespaces.map((n) => toYaml({ namespace: n.namespace, groups: n.groups.map(groupToObject) })).join("---\n")
  );
}
