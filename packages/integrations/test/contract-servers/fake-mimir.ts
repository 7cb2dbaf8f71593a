import type { IncomingMessage, ServerResponse } from "node:http";
import { parse as parseYaml, stringify as stringifyYaml } from "yaml";
import { listen, pathSegments, type RecordedRequest, sendJson, sendText } from "./http-util";

/**
 * A fake Mimir ruler configuration API following grafana/mimir pkg/ruler/api.go:
 * - every request needs `X-Scope-OrgID` (401 "no org id" otherwise); optional Bearer token check
 *   (as a gateway would do);
 * - routes under `<prefix>/config/v1/rules[/{namespace}[/{groupName}]]`, each segment
 *   path-unescaped (so "a%2Fb" is the namespace "a/b");
 * - POST parses the YAML body as ONE rule group, validates it (400 with plain-text errors), then
 *   checks `per-user rules per rule group limit (limit: N actual: M) exceeded` and
 *   `per-user rule groups limit (limit: N actual: M) exceeded` (actual = stored groups + 1, as in
 *   Mimir, so an update at the exact limit is rejected unless `countUpdatesAsNew` is false), and
 *   answers 202 `{"status":"success"}`;
 * - GET returns YAML (404 "no rule groups found" when the tenant has none), DELETE answers 202 or
 *   404 "group does not exist".
 */

export type FakeMimirOptions = {
  prefix?: string;
  maxRulesPerGroup?: number;
  maxGroupsPerTenant?: number;
  /** Mimir counts stored groups + 1 even when the POST replaces an existing group. */
  countUpdatesAsNew?: boolean;
  /** When set, requests must carry `Authorization: Bearer <token>`. */
  token?: string;
};

type Group = Record<string, unknown> & { name: string; rules: Array<Record<string, unknown>> };

export class FakeMimir {
  /** tenant → namespace → group name → group. */
  readonly store = new Map<string, Map<string, Map<string, Group>>>();
  readonly requests: RecordedRequest[] = [];
  url = "";
  #close: (() => Promise<void>) | undefined;

  constructor(readonly opts: FakeMimirOptions = {}) {}

  async start(): Promise<this> {
    const { url, close } = await listen((req, res, body) => this.#handle(req, res, body));
    this.url = url;
    this.#close = close;
    return this;
  }

  async stop(): Promise<void> {
    await this.#close?.();
  }

  writes(): RecordedRequest[] {
    return this.requests.filter((r) => r.method !== "GET");
  }

  groups(tenant: string): Array<{ namespace: string; name: string; rules: number }> {
    const out: Array<{ namespace: string; name: string; rules: number }> = [];
    for (const [ns, groups] of this.store.get(tenant) ?? []) for (const g of groups.values()) out.push({ namespace: ns, name: g.name, rules: g.rules.length });
    return out.sort((a, b) => a.namespace.localeCompare(b.namespace) || a.name.localeCompare(b.name));
  }

  /** Seeds a group directly (e.g. one not managed by Burnrate). */
  seed(tenant: string, namespace: string, group: Group): void {
    this.#tenant(tenant).set(namespace, this.#tenant(tenant).get(namespace) ?? new Map());
    this.#tenant(tenant).get(namespace)?.set(group.name, group);
  }

  #tenant(t: string): Map<string, Map<string, Group>> {
    let m = this.store.get(t);
    if (!m) {
      m = new Map();
      this.store.set(t, m);
    }
    return m;
  }

  #handle(req: IncomingMessage, res: ServerResponse, body: string): void {
    const method = req.method ?? "GET";
    const rawPath = (req.url ?? "/").split("?")[0] ?? "/";
    this.requests.push({ method, path: rawPath, headers: req.headers, body });

    if (this.opts.token !== undefined && req.headers.authorization !== `Bearer ${this.opts.token}`) return sendText(res, 401, "Unauthorized\n");
    const tenant = req.headers["x-scope-orgid"];
    if (typeof tenant !== "string" || tenant === "") return sendText(res, 401, "no org id\n");

    let seg: string[];
    try {
      seg = pathSegments(req.url ?? "/");
    } catch {
      return sendText(res, 400, "invalid URL escape\n");
    }
    const prefix = pathSegments(this.opts.prefix ?? "/prometheus");
    if (prefix.some((p, i) => seg[i] !== p)) return sendText(res, 404, "404 page not found\n");
    const rest = seg.slice(prefix.length);
    if (rest[0] !== "config" || rest[1] !== "v1" || rest[2] !== "rules" || rest.length > 5) return sendText(res, 404, "404 page not found\n");
    const namespace = rest[3];
    const groupName = rest[4];
    const store = this.#tenant(tenant);

    if (method === "GET" && namespace === undefined) {
      const out: Record<string, unknown[]> = {};
      for (const [ns, groups] of [...store.entries()].sort(([a], [b]) => a.localeCompare(b))) {
        if (groups.size > 0) out[ns] = [...groups.values()];
      }
      if (Object.keys(out).length === 0) return sendText(res, 404, "no rule groups found\n");
      return sendText(res, 200, stringifyYaml(out), "application/yaml");
    }
    if (method === "GET" && namespace !== undefined && groupName !== undefined) {
      const g = store.get(namespace)?.get(groupName);
      return g ? sendText(res, 200, stringifyYaml(g), "application/yaml") : sendText(res, 404, "group does not exist\n");
    }
    if (method === "POST" && namespace !== undefined && groupName === undefined) return this.#create(res, tenant, namespace, body);
    if (method === "DELETE" && namespace !== undefined && groupName !== undefined) {
      const groups = store.get(namespace);
      if (!groups?.has(groupName)) return sendText(res, 404, "group does not exist\n");
      groups.delete(groupName);
      if (groups.size === 0) store.delete(namespace);
      return sendJson(res, 202, { status: "success" });
    }
    if (method === "DELETE" && namespace !== undefined) {
      if (!store.has(namespace)) return sendText(res, 404, "unable to find namespace\n");
      store.delete(namespace);
      return sendJson(res, 202, { status: "success" });
    }
    return sendText(res, 405, "method not allowed\n");
  }

  #create(res: ServerResponse, tenant: string, namespace: string, body: string): void {
    let parsed: unknown;
    try {
      parsed = parseYaml(body);
    } catch {
      return sendText(res, 400, "unable to decoded rule group\n");
    }
    if (parsed === null || typeof parsed !== "object" || Array.isArray(parsed)) return sendText(res, 400, "unable to decoded rule group\n");
    const rg = parsed as Record<string, unknown>;
    const errs: string[] = [];
    if ("groups" in rg) errs.push("field groups not found in type rulefmt.RuleGroup: send exactly one rule group, not a rule file");
    if (typeof rg.name !== "string" || rg.name === "") errs.push("rule group name must not be empty");
    if (!Array.isArray(rg.rules)) errs.push("rule group has no rules");
    const rules = (Array.isArray(rg.rules) ? rg.rules : []) as Array<Record<string, unknown>>;
    rules.forEach((r, i) => {
      const has = (k: string) => typeof r[k] === "string" && r[k] !== "";
      if (has("record") === has("alert")) errs.push(`group "${String(rg.name)}", rule ${i + 1}: one of 'record' or 'alert' must be set`);
      if (!has("expr")) errs.push(`group "${String(rg.name)}", rule ${i + 1}: field 'expr' must be set in rule`);
      if (has("record") && !/^[a-zA-Z_:][a-zA-Z0-9_:]*$/.test(String(r.record))) errs.push(`group "${String(rg.name)}", rule ${i + 1}: invalid recording rule name: ${String(r.record)}`);
      if (has("record") && ("for" in r || "annotations" in r)) errs.push(`group "${String(rg.name)}", rule ${i + 1}: invalid field 'for' or 'annotations' in recording rule`);
    });
    if (errs.length) return sendText(res, 400, `${errs.join(", ")}\n`);

    const maxRules = this.opts.maxRulesPerGroup ?? 20;
    if (maxRules > 0 && rules.length > maxRules) return sendText(res, 400, `per-user rules per rule group limit (limit: ${maxRules} actual: ${rules.length}) exceeded\n`);
    const store = this.#tenant(tenant);
    const total = [...store.values()].reduce((n, g) => n + g.size, 0);
    const exists = store.get(namespace)?.has(String(rg.name)) ?? false;
    const maxGroups = this.opts.maxGroupsPerTenant ?? 70;
    const actual = exists && this.opts.countUpdatesAsNew === false ? total : total + 1;
    if (maxGroups > 0 && actual > maxGroups) return sendText(res, 400, `per-user rule groups limit (limit: ${maxGroups} actual: ${actual}) exceeded\n`);
    this.seed(tenant, namespace, rg as Group);
    return sendJson(res, 202, { status: "success" });
  }
}
