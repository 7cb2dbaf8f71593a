import { parse as parseYaml, stringify as stringifyYaml } from "yaml";
import { bodyExcerpt, HttpClient, httpClientOptions, UpstreamError, type RawResponse } from "../http";

/**
 * Client for the Mimir (and Cortex-compatible) ruler configuration API:
 *   GET    <prefix>/config/v1/rules                       → YAML map namespace → groups (404 when empty)
 *   POST   <prefix>/config/v1/rules/{namespace}           ← YAML body of ONE group → 202
 *   DELETE <prefix>/config/v1/rules/{namespace}/{group}   → 202
 * Tenancy is the `X-Scope-OrgID` header. Namespace and group names are path-escaped.
 */

export type MimirRule = {
  record?: string;
  alert?: string;
  expr: string;
  for?: string;
  keep_firing_for?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
};

export type MimirRuleGroup = {
  name: string;
  interval?: string;
  limit?: number;
  source_tenants?: string[];
  rules: MimirRule[];
};

export type MimirLimits = {
  /** -ruler.max-rules-per-rule-group (Mimir default 20). */
  maxRulesPerGroup: number;
  /** -ruler.max-rule-groups-per-tenant (Mimir default 70). */
  maxGroupsPerTenant: number;
};

export type MimirRulerClientOptions = {
  baseUrl: string;
  /** Prometheus HTTP prefix, "/prometheus" by default. */
  prefix?: string;
  tenant: string;
  /** Optional bearer token (for a gateway in front of Mimir). */
  token?: string;
  timeoutMs?: number;
  limits?: Partial<MimirLimits>;
  /**
   * Namespaces Burnrate owns: groups in them that are not desired are deleted by `sync`.
   * Namespaces passed to `sync` are always owned. Default: names starting with "burnrate".
   */
  ownsNamespace?: (namespace: string) => boolean;
  fetch?: typeof fetch;
};

export type MimirSyncAction = {
  action: "create" | "update" | "delete" | "unchanged";
  namespace: string;
  group: string;
  rules: number;
};

export type MimirSyncReport = {
  tenant: string;
  actions: MimirSyncAction[];
  created: number;
  updated: number;
  deleted: number;
  unchanged: number;
  /** Groups split because they exceed maxRulesPerGroup: original name → part names. */
  splits: Array<{ namespace: string; group: string; parts: string[] }>;
  /** Rule groups the tenant holds after the sync (all namespaces). */
  groupsAfter: number;
  warnings: string[];
};

export class MimirError extends UpstreamError {
  override readonly name = "MimirError";
  /** Actions applied before the failure (for partial syncs). */
  applied: MimirSyncAction[] = [];
}

export const MIMIR_DEFAULT_LIMITS: MimirLimits = { maxRulesPerGroup: 20, maxGroupsPerTenant: 70 };

const SERVICE = "Mimir ruler";
/** Length of response excerpts in error messages. */
const EXCERPT_LEN = 240;

export class MimirRulerClient {
  readonly tenant: string;
  readonly limits: MimirLimits;
  readonly #http: HttpClient;
  readonly #prefix: string;
  readonly #owns: (ns: string) => boolean;

  constructor(opts: MimirRulerClientOptions) {
    if (!opts.tenant || /[\r\n]/.test(opts.tenant)) throw new TypeError("Mimir tenant (X-Scope-OrgID) is required");
    this.#http = new HttpClient(
      httpClientOptions(SERVICE, opts, {
        headers: { "x-scope-orgid": opts.tenant, accept: "application/yaml, application/json" },
        urlCredentials: "reject",
        redirectMessage: "check-base-url",
      }),
    );
    const prefix = opts.prefix ?? "/prometheus";
    this.#prefix = prefix === "" || prefix === "/" ? "" : `/${prefix.replace(/^\/+|\/+$/g, "")}`;
    this.tenant = opts.tenant;
    this.limits = { ...MIMIR_DEFAULT_LIMITS, ...(opts.limits ?? {}) };
    this.#owns = opts.ownsNamespace ?? ((ns) => ns.startsWith("burnrate"));
  }

  /** All rule groups of the tenant by namespace (empty when the tenant has none). */
  async listRules(): Promise<Record<string, MimirRuleGroup[]>> {
    const res = await this.#http.raw({ path: this.#rulesPath() });
    if (res.status === 404 && /no rule groups found/i.test(res.text)) return {};
    if (res.status !== 200) throw this.#error(res, "list rule groups");
    let parsed: unknown;
    try {
      parsed = parseYaml(res.text);
    } catch {
      throw new MimirError({ message: `invalid YAML from Mimir ruler at ${res.url}: ${bodyExcerpt(res.text, 80)}`, service: SERVICE, url: res.url, kind: "invalid_response", status: res.status });
    }
    if (parsed === null || parsed === undefined) return {};
    if (typeof parsed !== "object" || Array.isArray(parsed)) {
      throw new MimirError({
        message: `unexpected response from Mimir ruler at ${res.url}: expected a map of namespace to rule groups`,
        service: SERVICE,
        url: res.url,
        kind: "invalid_response",
        status: res.status,
      });
    }
    const out: Record<string, MimirRuleGroup[]> = {};
    for (const [ns, groups] of Object.entries(parsed as Record<string, unknown>)) {
      if (!Array.isArray(groups)) continue;
      out[ns] = groups.filter((g): g is MimirRuleGroup => typeof g === "object" && g !== null && typeof (g as MimirRuleGroup).name === "string");
    }
    return out;
  }

  /** Creates or replaces one rule group (POST, YAML body, 202). */
  async setRuleGroup(namespace: string, group: MimirRuleGroup): Promise<void> {
    if (group.rules.length > this.limits.maxRulesPerGroup) {
      throw new MimirError({
        message: `rule group "${group.name}" in namespace "${namespace}" has ${group.rules.length} rules, above the tenant limit of ${this.limits.maxRulesPerGroup} per group; use sync() to split it`,
        service: SERVICE,
        url: this.#rulesPath(namespace),
        kind: "limit",
      });
    }
    const res = await this.#http.raw({ method: "POST", path: this.#rulesPath(namespace), body: { data: mimirRuleGroupYaml(group), contentType: "application/yaml" } });
    if (res.status !== 202 && res.status !== 200) throw this.#error(res, `set rule group "${group.name}" in namespace "${namespace}"`);
  }

  /** Deletes one rule group; returns false when it did not exist. */
  async deleteRuleGroup(namespace: string, name: string): Promise<boolean> {
    const res = await this.#http.raw({ method: "DELETE", path: this.#rulesPath(namespace, name) });
    if (res.status === 404) return false;
    if (res.status !== 202 && res.status !== 200) throw this.#error(res, `delete rule group "${name}" in namespace "${namespace}"`);
    return true;
  }

  /**
   * Works out what `sync` would do without writing: splits oversized groups, compares with the
   * stored groups and checks the tenant group limit (throws MimirError kind "limit" when exceeded).
   */
  async plan(namespaces: Record<string, MimirRuleGroup[]>): Promise<{ report: MimirSyncReport; push: Array<{ namespace: string; group: MimirRuleGroup }>; current: Record<string, MimirRuleGroup[]> }> {
    const current = await this.listRules();
    const warnings: string[] = [];
    const splits: MimirSyncReport["splits"] = [];
    const desired = new Map<string, Map<string, MimirRuleGroup>>();
    for (const ns of Object.keys(namespaces).sort()) {
      const groups = new Map<string, MimirRuleGroup>();
      for (const g of namespaces[ns] ?? []) {
        const parts = splitMimirRuleGroup(g, this.limits.maxRulesPerGroup);
        if (parts.length > 1) splits.push({ namespace: ns, group: g.name, parts: parts.map((p) => p.name) });
        for (const w of crossPartDependencies(parts)) warnings.push(`${ns}/${g.name}: ${w}`);
        for (const p of parts) {
          if (groups.has(p.name)) throw new TypeError(`duplicate rule group "${p.name}" in namespace "${ns}" (after splitting oversized groups)`);
          groups.set(p.name, p);
        }
      }
      desired.set(ns, groups);
    }

    const owned = (ns: string) => desired.has(ns) || this.#owns(ns);
    const actions: MimirSyncAction[] = [];
    const push: Array<{ namespace: string; group: MimirRuleGroup }> = [];
    let foreign = 0;
    for (const [ns, groups] of Object.entries(current)) {
      if (!owned(ns)) {
        foreign += groups.length;
        continue;
      }
      const want = desired.get(ns);
      for (const g of groups) if (!want?.has(g.name)) actions.push({ action: "delete", namespace: ns, group: g.name, rules: g.rules?.length ?? 0 });
    }
    let desiredCount = 0;
    for (const [ns, groups] of desired) {
      const have = new Map((current[ns] ?? []).map((g) => [g.name, g]));
      for (const g of groups.values()) {
        desiredCount++;
        const existing = have.get(g.name);
        if (!existing) {
          actions.push({ action: "create", namespace: ns, group: g.name, rules: g.rules.length });
          push.push({ namespace: ns, group: g });
        } else if (!sameMimirRuleGroup(existing, g)) {
          actions.push({ action: "update", namespace: ns, group: g.name, rules: g.rules.length });
          push.push({ namespace: ns, group: g });
        } else {
          actions.push({ action: "unchanged", namespace: ns, group: g.name, rules: g.rules.length });
        }
      }
    }
    const groupsAfter = foreign + desiredCount;
    if (groupsAfter > this.limits.maxGroupsPerTenant) {
      throw new MimirError({
        message: `refusing to sync: tenant "${this.tenant}" would hold ${groupsAfter} rule groups (${desiredCount} from Burnrate + ${foreign} not managed by Burnrate), above the limit of ${this.limits.maxGroupsPerTenant} per tenant; raise -ruler.max-rule-groups-per-tenant for this tenant or remove SLOs`,
        service: SERVICE,
        url: this.#rulesPath(),
        kind: "limit",
      });
    }
    const count = (a: MimirSyncAction["action"]) => actions.filter((x) => x.action === a).length;
    const report: MimirSyncReport = {
      tenant: this.tenant,
      actions,
      created: count("create"),
      updated: count("update"),
      deleted: count("delete"),
      unchanged: count("unchanged"),
      splits,
      groupsAfter,
      warnings,
    };
    return { report, push, current };
  }

  /**
   * Makes the owned namespaces match `namespaces`: pushes new and changed groups, deletes groups
   * that are no longer desired in namespaces Burnrate owns, leaves unchanged groups alone (no
   * request). Creates go first when the tenant has room for them, so alerts never disappear
   * during a rename; otherwise deletes go first to stay under the group limit.
   */
  async sync(namespaces: Record<string, MimirRuleGroup[]>, opts: { dryRun?: boolean } = {}): Promise<MimirSyncReport> {
    const { report, push, current } = await this.plan(namespaces);
    if (opts.dryRun) return report;
    const deletes = report.actions.filter((a) => a.action === "delete");
    const currentCount = Object.values(current).reduce((n, gs) => n + gs.length, 0);
    const creates = report.actions.filter((a) => a.action === "create").length;
    const deletesFirst = currentCount + creates > this.limits.maxGroupsPerTenant;
    const applied: MimirSyncAction[] = [];
    const byKey = new Map(report.actions.map((a) => [`${a.namespace}\u0000${a.group}`, a]));
    const doDeletes = async () => {
      for (const d of deletes) {
        await this.deleteRuleGroup(d.namespace, d.group);
        applied.push(d);
      }
    };
    try {
      if (deletesFirst) await doDeletes();
      for (const p of push) {
        await this.setRuleGroup(p.namespace, p.group);
        const a = byKey.get(`${p.namespace}\u0000${p.group.name}`);
        if (a) applied.push(a);
      }
      if (!deletesFirst) await doDeletes();
    } catch (err) {
      if (err instanceof MimirError) {
        err.applied = applied;
        err.message = `${err.message} (sync stopped after ${applied.length} of ${push.length + deletes.length} changes)`;
      }
      throw err;
    }
    return report;
  }

  #rulesPath(namespace?: string, group?: string): string {
    let p = `${this.#prefix}/config/v1/rules`;
    if (namespace !== undefined) p += `/${encodeURIComponent(namespace)}`;
    if (group !== undefined) p += `/${encodeURIComponent(group)}`;
    return p;
  }

  #error(res: RawResponse, what: string): MimirError {
    let detail = res.text.trim();
    try {
      const j = JSON.parse(res.text) as { error?: unknown };
      if (typeof j.error === "string") detail = j.error;
    } catch {
      /* plain text (http.Error) */
    }
    detail = bodyExcerpt(detail, EXCERPT_LEN);
    let kind: MimirError["kind"] = "http";
    let text = `Mimir ruler ${what} failed for tenant "${this.tenant}" (HTTP ${res.status})${detail ? `: ${detail}` : ""}`;
    if (res.status === 401 || res.status === 403) {
      kind = "auth";
      text += /org ?id/i.test(detail) ? "; the X-Scope-OrgID tenant header was rejected" : "; check the token and tenant";
    } else if (res.status === 400 && /limit/i.test(detail)) {
      kind = "limit";
      text += "; the tenant limits configured in Burnrate may be higher than Mimir's";
    } else if (res.status === 404) {
      kind = "not_found";
      text += `; is the ruler API served under "${this.#prefix || "/"}"?`;
    }
    return new MimirError({ message: text, service: SERVICE, url: res.url, kind, status: res.status, bodyExcerpt: bodyExcerpt(res.text, EXCERPT_LEN) });
  }
}

/** YAML body of one rule group, keys in Prometheus order (name, interval, limit, rules). */
export function mimirRuleGroupYaml(group: MimirRuleGroup): string {
  const g: Record<string, unknown> = { name: group.name };
  if (group.interval) g.interval = group.interval;
  if (group.limit !== undefined) g.limit = group.limit;
  if (group.source_tenants?.length) g.source_tenants = group.source_tenants;
  g.rules = group.rules.map((r) => {
    const out: Record<string, unknown> = {};
    if (r.record !== undefined) out.record = r.record;
    if (r.alert !== undefined) out.alert = r.alert;
    out.expr = r.expr;
    if (r.for) out.for = r.for;
    if (r.keep_firing_for) out.keep_firing_for = r.keep_firing_for;
    if (r.labels && Object.keys(r.labels).length) out.labels = sortedRecord(r.labels);
    if (r.annotations && Object.keys(r.annotations).length) out.annotations = sortedRecord(r.annotations);
    return out;
  });
  return stringifyYaml(g, { lineWidth: 0 });
}

function sortedRecord(r: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(r).sort(([a], [b]) => a.localeCompare(b)));
}

/** Metric names a rule expression refers to (cheap lexical scan; enough to order rules). */
function referencedNames(expr: string): Set<string> {
  const names = new Set<string>();
  const stripped = expr.replace(/"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'|`[^`]*`/g, '""');
  for (const m of stripped.matchAll(/[a-zA-Z_:][a-zA-Z0-9_:]*/g)) names.add(m[0]);
  return names;
}

/**
 * Splits a group above `maxRules` into `<name>-part-<n>` groups (n from 1), keeping order stable.
 * Recording rules go first in their original order, then alerts, so every alert lands in the same
 * part as, or a later part than, the recording rules it reads. Groups within the limit are
 * returned unchanged.
 */
export function splitMimirRuleGroup(group: MimirRuleGroup, maxRules: number): MimirRuleGroup[] {
  if (maxRules < 1) throw new RangeError("maxRules must be at least 1");
  if (group.rules.length <= maxRules) return [group];
  const ordered = [...group.rules.filter((r) => r.record !== undefined), ...group.rules.filter((r) => r.record === undefined)];
  const parts: MimirRuleGroup[] = [];
  for (let i = 0; i < ordered.length; i += maxRules) {
    parts.push({ ...group, name: `${group.name}-part-${parts.length + 1}`, rules: ordered.slice(i, i + maxRules) });
  }
  return parts;
}

/** Warnings for rules that read a recording rule placed in a later part (evaluated with a lag). */
function crossPartDependencies(parts: MimirRuleGroup[]): string[] {
  if (parts.length < 2) return [];
  const partOf = new Map<string, number>();
  parts.forEach((p, i) => p.rules.forEach((r) => r.record !== undefined && !partOf.has(r.record) && partOf.set(r.record, i)));
  const out: string[] = [];
  parts.forEach((p, i) =>
    p.rules.forEach((r) => {
      for (const n of referencedNames(r.expr)) {
        const j = partOf.get(n);
        if (j !== undefined && j > i) out.push(`${r.record ?? r.alert} in ${p.name} reads ${n} recorded in later group ${parts[j]?.name}`);
      }
    }),
  );
  return out;
}

function durationSeconds(d: string | undefined): number {
  if (!d) return 0;
  const unit: Record<string, number> = { ms: 0.001, s: 1, m: 60, h: 3600, d: 86400, w: 604800, y: 31536000 };
  let total = 0;
  for (const m of d.matchAll(/(\d+)(ms|s|m|h|d|w|y)/g)) total += Number(m[1]) * (unit[m[2] ?? "s"] ?? 1);
  return total;
}

function normalizeGroup(g: MimirRuleGroup): unknown {
  const map = (r?: Record<string, string>) => (r && Object.keys(r).length ? sortedRecord(Object.fromEntries(Object.entries(r).map(([k, v]) => [k, String(v)]))) : null);
  return {
    name: g.name,
    interval: durationSeconds(g.interval),
    limit: g.limit ?? 0,
    source_tenants: [...(g.source_tenants ?? [])].sort(),
    rules: (g.rules ?? []).map((r) => ({
      record: r.record ?? null,
      alert: r.alert ?? null,
      expr: String(r.expr ?? "").trim(),
      for: durationSeconds(r.for),
      keep_firing_for: durationSeconds(r.keep_firing_for),
      labels: map(r.labels),
      annotations: map(r.annotations),
    })),
  };
}

/** Semantic equality of two rule groups (durations compared in seconds: "120s" equals "2m"). */
export function sameMimirRuleGroup(a: MimirRuleGroup, b: MimirRuleGroup): boolean {
  return JSON.stringify(normalizeGroup(a)) === JSON.stringify(normalizeGroup(b));
}
