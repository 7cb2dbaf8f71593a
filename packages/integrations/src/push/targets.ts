import { promises as fs } from "node:fs";
import { isDeepStrictEqual } from "node:util";
import { parse as parseYaml } from "yaml";
import { AlertmanagerClient } from "../alertmanager";
import { GrafanaClient } from "../grafana";
import { MimirRulerClient, type MimirRuleGroup } from "../mimir";
import { PrometheusClient } from "../prometheus";
import { AlertmanagerFilePusher } from "./alertmanager-file-pusher";
import { PrometheusFilePusher, withManagedHeader, type RuleFile } from "./prometheus-file-pusher";
import type { PushStage, SyncState } from "./types";

/**
 * One adapter per target kind (Prometheus rule files, Alertmanager config file, Mimir ruler,
 * Grafana dashboards) with the same contract: push the desired artifacts and say which items were
 * not deployed, or report the target's state against them. The failure domain is one item (one
 * SLO's file or groups, one dashboard): an item the target refuses is quarantined, its last good
 * version stays live, and every other item deploys.
 */

/** A desired artifact; `owner` is the SLO slug for per-SLO artifacts (quarantine and the deletion guard count by it). */
export type DesiredArtifact = RuleFile & { owner?: string };

/** An item whose live version must stay as it is (its new version failed earlier, e.g. in generation). */
export type KeptItem = { owner: string; path: string };

export type TargetRequest = {
  files: DesiredArtifact[];
  keep?: KeptItem[];
  /** A push may remove every managed item (nothing desired). */
  allowEmpty?: boolean;
  /**
   * Single-file targets (Alertmanager): the items of the file and a way to build it without some of
   * them, so one item the target refuses is left out instead of blocking the whole file.
   */
  isolate?: { items: string[]; build: (without: ReadonlySet<string>) => Promise<string> };
};

/** An item that was not deployed; its previous version (if any) stays live. */
export type QuarantinedItem = { owner: string; path: string; stage: PushStage; reason: string };

export type TargetStage = PushStage | "connect" | "configure" | "generate";

export type TargetOutcome =
  | { ok: true; changed: boolean; message: string; quarantined: QuarantinedItem[] }
  | { ok: false; stage: TargetStage; error: string; quarantined: QuarantinedItem[] };

export type TargetState = { state: SyncState; message: string };

export interface Target {
  readonly kind: "prometheus" | "alertmanager" | "mimir" | "grafana";
  push(req: TargetRequest): Promise<TargetOutcome>;
  status(req: TargetRequest): Promise<TargetState>;
  /** Owners (SLO slugs) whose artifacts are live on the target now; null when the kind has no per-SLO artifacts. */
  liveOwners(): Promise<string[] | null>;
}

const errMsg = (err: unknown) => (err instanceof Error ? err.message : String(err));

/** promtool's refusal of one file as one readable line first ("promtool: <file>: <error>"), progress lines dropped. */
export function promtoolReason(message: string): string {
  const body = message.replace(/^promtool check rules failed:\s*/, "");
  const lines = body.split("\n").map((l) => l.trim()).filter((l) => l && !/^(Checking\b|FAILED:?$|SUCCESS\b)/.test(l));
  return `promtool check rules failed: ${lines.join("\n") || body.trim()}`;
}
const SLO_FILE = /^slo-(.+)\.ya?ml$/;

export type PrometheusFileTargetOptions = { url: string; token?: string; rulesDir: string; timeoutMs?: number; promtoolPath?: string };

export class PrometheusFileTarget implements Target {
  readonly kind = "prometheus" as const;
  readonly pusher: PrometheusFilePusher;
  constructor(opts: PrometheusFileTargetOptions) {
    this.pusher = new PrometheusFilePusher({
      rulesDir: opts.rulesDir,
      promtoolPath: opts.promtoolPath,
      prometheus: new PrometheusClient({ baseUrl: opts.url, token: opts.token, timeoutMs: opts.timeoutMs }),
    });
  }

  /** Desired files with kept items replaced by what is on disk (or left out when nothing is). */
  async #effective(req: TargetRequest): Promise<DesiredArtifact[]> {
    const keep = new Map((req.keep ?? []).map((k) => [k.path, k]));
    const live = await this.pusher.managedContent([...keep.keys()]);
    const out = req.files.filter((f) => !keep.has(f.path));
    for (const [p, k] of keep) {
      const content = live.get(p);
      if (content != null) out.push({ path: p, content, owner: k.owner });
    }
    return out;
  }

  async push(req: TargetRequest): Promise<TargetOutcome> {
    let files: DesiredArtifact[];
    const quarantined: QuarantinedItem[] = [];
    try {
      files = await this.#effective(req);
      const current = await this.pusher.managedContent(files.map((f) => f.path));
      const changed = files.filter((f) => current.get(f.path) !== withManagedHeader(f.content));
      const refused = new Map((await this.pusher.checkFiles(changed)).map((r) => [r.path, r.error]));
      if (refused.size) {
        files = files.flatMap((f) => {
          const reason = refused.get(f.path);
          if (reason === undefined) return [f];
          quarantined.push({ owner: f.owner ?? f.path, path: f.path, stage: "validate", reason: promtoolReason(reason) });
          const prev = current.get(f.path);
          return prev == null ? [] : [{ ...f, content: prev }];
        });
      }
    } catch (err) {
      return { ok: false, stage: "validate", error: errMsg(err), quarantined };
    }
    const r = await this.pusher.push(files, { prune: true, allowEmpty: req.allowEmpty ?? false, prevalidated: true });
    if (!r.ok) return { ok: false, stage: r.stage, error: r.details && !r.error.includes(r.details) ? `${r.error}\n${r.details}` : r.error, quarantined };
    return { ok: true, changed: r.changed, message: r.changed ? `wrote ${r.written.length}, deleted ${r.deleted.length} file(s)` : "unchanged", quarantined };
  }

  async status(req: TargetRequest): Promise<TargetState> {
    const st = await this.pusher.status(await this.#effective(req));
    const d = st.details;
    const parts = [
      d.missingFiles.length ? `missing files: ${d.missingFiles.join(", ")}` : "",
      d.modifiedFiles.length ? `modified files: ${d.modifiedFiles.join(", ")}` : "",
      d.extraFiles.length ? `extra files: ${d.extraFiles.join(", ")}` : "",
      d.missingGroups.length ? `${d.missingGroups.length} group(s) not loaded` : "",
      d.unexpectedGroups.length ? `${d.unexpectedGroups.length} unexpected group(s)` : "",
      d.error ?? "",
    ].filter(Boolean);
    return { state: st.state, message: parts.join("; ") };
  }

  async liveOwners(): Promise<string[]> {
    const names = (await fs.readdir(this.pusher.rulesDir)).filter((n) => SLO_FILE.test(n)).sort();
    const content = await this.pusher.managedContent(names);
    return names.filter((n) => content.get(n) != null).map((n) => (SLO_FILE.exec(n) as RegExpExecArray)[1] as string);
  }
}

/**
 * What the stored configuration becomes on disk: receiver secrets are references in what Burnrate
 * stores and shows; `materialize` resolves them into the file Alertmanager reads and the secret
 * files beside it, and `scrub` removes secret values from any message (amtool quotes the config).
 */
export type MaterializedConfig = { text: string; files: Record<string, string>; missing: string[]; scrub: (text: string) => string };

export type AlertmanagerFileTargetOptions = {
  url: string;
  token?: string;
  configPath: string;
  timeoutMs?: number;
  amtoolPath?: string;
  /** Where receiver secret files live (default `<config dir>/secrets`). */
  secretsDir?: string;
  /** Resolves the stored configuration's secret references (default: the content as it is, no secret files). */
  materialize?: (content: string) => Promise<MaterializedConfig>;
};

export class AlertmanagerFileTarget implements Target {
  readonly kind = "alertmanager" as const;
  readonly pusher: AlertmanagerFilePusher;
  readonly #materialize: (content: string) => Promise<MaterializedConfig>;
  constructor(opts: AlertmanagerFileTargetOptions) {
    this.pusher = new AlertmanagerFilePusher({ configPath: opts.configPath, secretsDir: opts.secretsDir, amtoolPath: opts.amtoolPath, alertmanager: new AlertmanagerClient({ baseUrl: opts.url, token: opts.token, timeoutMs: opts.timeoutMs }) });
    this.#materialize = opts.materialize ?? ((text) => Promise.resolve({ text, files: {}, missing: [], scrub: (t) => t }));
  }
  /**
   * Pushes the config; when amtool refuses it and the items are known, each item is checked alone
   * (the config with only that item) and the ones amtool refuses are left out, so one bad receiver
   * does not block the others. When every item fails alone the cause is shared: nothing is left out.
   */
  async push(req: TargetRequest): Promise<TargetOutcome> {
    const push = async (content: string) => {
      const m = await this.#materialize(content);
      if (m.missing.length) return { m, r: { ok: false as const, stage: "validate" as TargetStage, error: `the configuration refers to secrets that no longer exist (${m.missing.join(", ")}); the previous Alertmanager configuration stays live`, details: undefined as string | undefined } };
      return { m, r: await this.pusher.push(m.text, { secrets: m.files }) };
    };
    let { m, r } = await push(req.files[0]?.content ?? "");
    const quarantined: QuarantinedItem[] = [];
    const iso = req.isolate;
    if (!r.ok && r.stage === "validate" && iso && iso.items.length > 0) {
      // The config without any team receiver: when amtool refuses even that, the cause is shared and
      // nothing is left out; otherwise every receiver that fails alone is left out (even all of them).
      const base = await this.#materialize(await iso.build(new Set(iso.items)));
      const baseOk = (await this.pusher.check(base.text)) === null;
      for (const item of iso.items) {
        const alone = await this.#materialize(await iso.build(new Set(iso.items.filter((x) => x !== item))));
        const err = await this.pusher.check(alone.text);
        if (err) quarantined.push({ owner: item, path: this.pusher.configPath, stage: "validate", reason: alone.scrub(err) });
      }
      if (quarantined.length > 0 && (baseOk || quarantined.length < iso.items.length)) {
        ({ m, r } = await push(await iso.build(new Set(quarantined.map((q) => q.owner)))));
      } else {
        quarantined.length = 0;
      }
    }
    if (!r.ok) return { ok: false, stage: r.stage, error: m.scrub(r.details ? `${r.error}\n${r.details}` : r.error), quarantined };
    return { ok: true, changed: r.changed, message: r.changed ? "configuration reloaded" : "unchanged", quarantined };
  }
  async status(req: TargetRequest): Promise<TargetState> {
    const m = await this.#materialize(req.files[0]?.content ?? "");
    const st = await this.pusher.status(m.text, m.files);
    const d = st.details;
    const message = [d.fileMissing ? "config file missing" : "", d.fileDiffers ? "config file differs" : "", d.secretsDiffer ? "secret files differ" : "", d.loadedDifferences.length ? `loaded config differs (${d.loadedDifferences.slice(0, 3).map((x) => x.path).join("; ")})` : "", d.error ?? ""].filter(Boolean).join("; ");
    return { state: st.state, message: m.scrub(message) };
  }
  liveOwners(): Promise<null> {
    return Promise.resolve(null);
  }
}

export type MimirTargetOptions = { url: string; token?: string; tenant: string; prefix?: string; maxRulesPerGroup?: number; maxGroupsPerTenant?: number };

/** Group names of one SLO in Mimir: `slo-<slug>-<sli|windows|long|alerts>`, split parts `-part-<n>`. */
function sloGroupRe(owner: string): RegExp {
  return new RegExp(`^slo-${owner.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}-(sli|windows|long|alerts)(-part-\\d+)?$`);
}

export class MimirTarget implements Target {
  readonly kind = "mimir" as const;
  readonly client: MimirRulerClient;
  constructor(opts: MimirTargetOptions) {
    this.client = new MimirRulerClient({ baseUrl: opts.url, tenant: opts.tenant, prefix: opts.prefix, token: opts.token, limits: { maxRulesPerGroup: opts.maxRulesPerGroup, maxGroupsPerTenant: opts.maxGroupsPerTenant } });
  }
  /** Namespaces to sync: desired groups plus the live groups of kept SLOs (in their current namespace). */
  async #namespaces(req: TargetRequest): Promise<Record<string, MimirRuleGroup[]>> {
    const ns: Record<string, MimirRuleGroup[]> = {};
    for (const f of req.files) ns[f.path] = [...(ns[f.path] ?? []), ...(JSON.parse(f.content) as MimirRuleGroup[])];
    if (req.keep?.length) {
      const current = await this.client.listRules();
      for (const k of req.keep) {
        const re = sloGroupRe(k.owner);
        for (const [name, groups] of Object.entries(current)) {
          const mine = groups.filter((g) => re.test(g.name));
          if (mine.length) ns[name] = [...(ns[name] ?? []).filter((g) => !re.test(g.name)), ...mine];
        }
      }
    }
    return ns;
  }
  async push(req: TargetRequest): Promise<TargetOutcome> {
    try {
      const r = await this.client.sync(await this.#namespaces(req));
      return { ok: true, changed: r.created + r.updated + r.deleted > 0, message: `created ${r.created}, updated ${r.updated}, deleted ${r.deleted}, unchanged ${r.unchanged}${r.warnings.length ? `; ${r.warnings.join("; ")}` : ""}`, quarantined: [] };
    } catch (err) {
      return { ok: false, stage: "write", error: errMsg(err), quarantined: [] };
    }
  }
  async status(req: TargetRequest): Promise<TargetState> {
    try {
      const r = await this.client.sync(await this.#namespaces(req), { dryRun: true });
      const drift = r.created + r.updated + r.deleted;
      return { state: drift ? "drifted" : "in_sync", message: drift ? `${drift} group(s) differ` : "" };
    } catch (err) {
      return { state: "unreachable", message: errMsg(err) };
    }
  }
  async liveOwners(): Promise<string[]> {
    const owners = new Set<string>();
    for (const groups of Object.values(await this.client.listRules())) {
      for (const g of groups) {
        const m = /^slo-(.+)-(sli|windows|long|alerts)(-part-\d+)?$/.exec(g.name);
        if (m?.[1]) owners.add(m[1]);
      }
    }
    return [...owners].sort();
  }
}

export type GrafanaTargetOptions = {
  url: string;
  token: string;
  /** Tag carried by the dashboards this target pushes; pruning only considers those. */
  ownerTag: string;
  /** Burnrate's folders by team slug. */
  folders: () => Promise<Record<string, { uid: string; title: string }>>;
};

export class GrafanaTarget implements Target {
  readonly kind = "grafana" as const;
  readonly client: GrafanaClient;
  constructor(readonly opts: GrafanaTargetOptions) {
    this.client = new GrafanaClient({ baseUrl: opts.url, token: opts.token });
  }
  /** One dashboard Grafana refuses is quarantined; the others are created or updated. */
  async push(req: TargetRequest): Promise<TargetOutcome> {
    try {
      const r = await this.client.syncDashboards(req.files.map((f) => JSON.parse(f.content)), await this.opts.folders(), { message: "Burnrate sync", prune: true, allowEmpty: req.allowEmpty ?? false, ownerTag: this.opts.ownerTag });
      const quarantined: QuarantinedItem[] = r.results.filter((x) => x.action === "failed").map((x) => ({ owner: x.uid, path: `${x.uid}.json`, stage: "write", reason: x.reason ?? "failed" }));
      if (r.pruneError) return { ok: false, stage: "write", error: r.pruneError, quarantined };
      const message = `created ${r.created}, updated ${r.updated}, deleted ${r.deleted}, unchanged ${r.unchanged}${r.pruneSkipped ? `; ${r.pruneSkipped}` : ""}`;
      return { ok: true, changed: r.created + r.updated + r.deleted > 0, message, quarantined };
    } catch (err) {
      return { ok: false, stage: "write", error: errMsg(err), quarantined: [] };
    }
  }
  async status(req: TargetRequest): Promise<TargetState> {
    try {
      let drift = 0;
      const desired: Array<{ uid: string }> = [];
      for (const f of req.files) {
        const want = JSON.parse(f.content) as { uid: string; description?: string };
        desired.push(want);
        const have = await this.client.getDashboard(want.uid);
        if (!have || (have.dashboard as { description?: string }).description !== want.description) drift++;
      }
      const { stale } = await this.client.staleDashboards(desired, { allowEmpty: req.allowEmpty ?? false, managedTag: this.opts.ownerTag });
      const parts = [
        drift ? `${drift} dashboard(s) differ` : "",
        stale.length ? `${stale.length} stale dashboard(s) to delete: ${stale.slice(0, 5).map((h) => h.uid).join(", ")}${stale.length > 5 ? ", …" : ""}` : "",
      ].filter(Boolean);
      return { state: parts.length ? "drifted" : "in_sync", message: parts.join("; ") };
    } catch (err) {
      return { state: "unreachable", message: errMsg(err) };
    }
  }
  liveOwners(): Promise<null> {
    return Promise.resolve(null);
  }
}

/**
 * Two rule files say the same thing when their parsed YAML is equal: header comments, quoting and
 * layout do not count (the rules preview shows "identical" instead of a formatting-only diff).
 */
export function sameRuleFile(a: string, b: string): boolean {
  try {
    return isDeepStrictEqual(parseYaml(a), parseYaml(b));
  } catch {
    return false;
  }
}
