import { sortJsonKeys, type Dashboard, readDashboardStamp } from "@burnrate/domain";
import { z } from "zod";
import { bodyExcerpt, HttpClient, httpClientOptions, UpstreamError, type RawResponse } from "../http";

/**
 * Grafana HTTP client for dashboards and folders, authenticated with a service-account token
 * (`Authorization: Bearer`). Uses the legacy `/api/dashboards/db` API, or the newer
 * `dashboard.grafana.app` API when the server advertises it (probed once). Finding the dashboards
 * Burnrate manages always uses `GET /api/search` (served by every Grafana version, including 12+
 * alongside the new API, which has no stable search endpoint yet); deletion follows the API in use.
 */

export type GrafanaClientOptions = {
  baseUrl: string;
  /** Service-account token. */
  token: string;
  timeoutMs?: number;
  /** "auto" (default) probes `/apis/dashboard.grafana.app/v1beta1` and falls back to legacy. */
  api?: "auto" | "legacy" | "dashboard.grafana.app";
  /** Namespace for the new API: "default" for org 1, "org-<id>" or "stacks-<id>" otherwise. */
  namespace?: string;
  fetch?: typeof fetch;
};

export type GrafanaApi = "legacy" | "dashboard.grafana.app";

/** `status` is Grafana's 412 reason (version-mismatch, name-exists, plugin-dashboard) when known. */
export class GrafanaError extends UpstreamError {
  override readonly name = "GrafanaError";
  grafanaStatus?: string;
}

export type GrafanaDashboardState = {
  dashboard: Record<string, unknown>;
  /** "" means the root (General) folder. */
  folderUid: string;
  version: number;
  url: string;
  api: GrafanaApi;
  /** New API only: optimistic-lock token for updates. */
  resourceVersion?: string;
};

export type PushDashboardOptions = {
  folderUid?: string;
  /** Version-history message. */
  message?: string;
  /** Replace whatever is stored, skipping Grafana's version check. */
  overwrite?: boolean;
};

export type PushDashboardResult = {
  uid: string;
  version: number;
  url: string;
  status: "created" | "updated";
  api: GrafanaApi;
  /** True when the first attempt hit 412/409 and was retried with the current version. */
  retried: boolean;
};

export type FolderRef = { uid: string; title: string };

export type DashboardSyncResult = {
  uid: string;
  title: string;
  folderUid: string;
  /** "deleted" (and "failed" with `stale: true`) come from pruning. */
  action: "created" | "updated" | "unchanged" | "deleted" | "failed";
  /** Set on results of pruning: a managed dashboard that is no longer desired. */
  stale?: true;
  version?: number;
  url?: string;
  /** Why it was pushed or why it failed. */
  reason?: string;
};

export type DashboardSyncReport = {
  results: DashboardSyncResult[];
  created: number;
  updated: number;
  unchanged: number;
  deleted: number;
  /** Failed pushes and failed deletions. */
  failed: number;
  /** Why pruning did not run (empty desired list without `allowEmpty`, or an earlier auth failure). */
  pruneSkipped?: string;
  /** Listing the managed dashboards failed, so nothing was pruned. */
  pruneError?: string;
};

/** One hit of `GET /api/search` (type dash-db). `folderUid` is "" for the root (General) folder. */
export type DashboardSearchHit = { uid: string; title: string; folderUid: string; tags: string[]; url: string };

/** What marks a dashboard as created by Burnrate: both its tag and a Burnrate folder are required. */
export type ManagedDashboardSelector = {
  /** Tag every generated dashboard carries (domain `dashboardShell`). Default "burnrate". */
  managedTag?: string;
  /**
   * Folder uids Burnrate owns besides `defaultFolder`: default "burnrate-" (per-team folders
   * `burnrate-<team>`, including those of deleted teams). Dashboards in any other folder, or at the
   * root, are never considered managed, even when tagged.
   */
  managedFolderPrefix?: string;
  /** Folder for dashboards without a mapped team; always managed. Default `{ uid: "burnrate" }`. */
  defaultFolder?: FolderRef;
  /** Page size for `/api/search` (Grafana: default 1000, max 5000). */
  searchPageSize?: number;
};

export type StaleDashboardsOptions = ManagedDashboardSelector & {
  /**
   * An empty desired list usually means something went wrong upstream; unless this is set, it never
   * deletes existing managed dashboards (the plan then has `skipped` set instead).
   */
  allowEmpty?: boolean;
};

export type StaleDashboardPlan = {
  /** Managed dashboards (tag + Burnrate folder) whose uid is not desired. */
  stale: DashboardSearchHit[];
  /** Every managed dashboard found. */
  managed: number;
  /** Set when stale dashboards exist but the empty-desired guard holds them back. */
  skipped?: string;
};

export type SyncDashboardsOptions = StaleDashboardsOptions & {
  /** Version-history message for pushes. */
  message?: string;
  /**
   * Delete managed dashboards (see `ManagedDashboardSelector`) that are not in the desired list.
   * Default false; Burnrate's push target passes true.
   */
  prune?: boolean;
  /**
   * A tag naming who pushes (Burnrate uses `burnrate-target:<push target id>`): added to every
   * pushed dashboard, and with `prune` only dashboards carrying it are candidates, so two Burnrate
   * installations (or targets) sharing a Grafana never delete each other's dashboards.
   */
  ownerTag?: string;
};

export type DeleteDashboardResult = { uid: string; status: "deleted" | "not_found"; api: GrafanaApi };

const SaveResponse = z.object({ uid: z.string(), version: z.number(), url: z.string().default(""), status: z.string().optional() });
const LegacyGet = z.object({
  dashboard: z.record(z.string(), z.unknown()),
  meta: z.object({ folderUid: z.string().optional().default(""), version: z.number().optional(), url: z.string().optional().default("") }).loose(),
});
const K8sDashboard = z.object({
  metadata: z
    .object({
      name: z.string(),
      resourceVersion: z.string().optional(),
      generation: z.number().optional(),
      annotations: z.record(z.string(), z.string()).optional(),
    })
    .loose(),
  spec: z.record(z.string(), z.unknown()),
});
const Folder = z.object({ uid: z.string(), title: z.string() }).loose();
const SearchHits = z.array(
  z
    .object({
      uid: z.string(),
      title: z.string().optional().default(""),
      type: z.string().optional(),
      tags: z.array(z.string()).nullish(),
      folderUid: z.string().optional().default(""),
      url: z.string().optional().default(""),
    })
    .loose(),
);
const Health = z.object({ database: z.string().optional(), version: z.string().optional(), commit: z.string().optional() }).loose();

const FOLDER_ANNOTATION = "grafana.app/folder";
const MESSAGE_ANNOTATION = "grafana.app/message";
const K8S_GROUP_PATH = "/apis/dashboard.grafana.app/v1beta1";
export const BURNRATE_DASHBOARD_TAG = "burnrate";
export const BURNRATE_FOLDER_PREFIX = "burnrate-";
const DEFAULT_FOLDER: FolderRef = { uid: "burnrate", title: "Burnrate" };
/** Grafana's documented bounds for `limit` on `/api/search`. */
const SEARCH_DEFAULT_LIMIT = 1000;
const SEARCH_MAX_LIMIT = 5000;
/** Length of response excerpts in error messages. */
const EXCERPT_LEN = 240;

export class GrafanaClient {
  readonly #http: HttpClient;
  readonly #hasToken: boolean;
  readonly #namespace: string;
  #api: GrafanaApi | undefined;

  constructor(opts: GrafanaClientOptions) {
    this.#http = new HttpClient(httpClientOptions("Grafana", opts, { urlCredentials: "reject", redirectMessage: "check-base-url" }));
    this.#hasToken = Boolean(opts.token);
    this.#namespace = opts.namespace ?? "default";
    if (opts.api && opts.api !== "auto") this.#api = opts.api;
  }

  get baseUrl(): string {
    return this.#http.baseUrl;
  }

  /** `GET /api/health` (no auth needed). */
  async health(): Promise<{ database: string; version: string }> {
    const res = await this.#http.raw({ path: "/api/health", auth: false });
    if (res.status !== 200) throw this.#error(res, "health check");
    const h = this.#parse(res, Health);
    if (h.database !== undefined && h.database !== "ok") {
      throw new GrafanaError({ message: `Grafana at ${this.baseUrl} is unhealthy: database ${h.database}`, service: "Grafana", url: res.url, kind: "http", status: res.status });
    }
    return { database: h.database ?? "ok", version: h.version ?? "" };
  }

  /** Which dashboard API is used: probes `/apis/dashboard.grafana.app/v1beta1` once in "auto" mode. */
  async dashboardApi(): Promise<GrafanaApi> {
    if (this.#api) return this.#api;
    const res = await this.#http.raw({ path: K8S_GROUP_PATH });
    if (res.status === 401 || res.status === 403) throw this.#error(res, "API discovery");
    let api: GrafanaApi = "legacy";
    if (res.status === 200) {
      try {
        const body = JSON.parse(res.text) as { resources?: Array<{ name?: string }> };
        if (body.resources?.some((r) => r.name === "dashboards")) api = "dashboard.grafana.app";
      } catch {
        api = "legacy";
      }
    }
    this.#api = api;
    return api;
  }

  /** Makes sure a folder exists: `GET /api/folders/:uid`, else `POST /api/folders`. */
  async ensureFolder(uid: string, title: string): Promise<FolderRef & { created: boolean }> {
    const path = `/api/folders/${encodeURIComponent(uid)}`;
    const got = await this.#http.raw({ path });
    if (got.status === 200) return { ...this.#folder(got), created: false };
    if (got.status !== 404) throw this.#error(got, `folder lookup ${uid}`);
    const res = await this.#http.raw({ method: "POST", path: "/api/folders", json: { uid, title } });
    if (res.status === 200 || res.status === 201) return { ...this.#folder(res), created: true };
    if (res.status === 409 || res.status === 412) {
      // created concurrently, or a folder with this title exists elsewhere
      const again = await this.#http.raw({ path });
      if (again.status === 200) return { ...this.#folder(again), created: false };
    }
    throw this.#error(res, `folder create ${uid} ("${title}")`);
  }

  /** The stored dashboard, or null when there is none with this uid. */
  async getDashboard(uid: string): Promise<GrafanaDashboardState | null> {
    const api = await this.dashboardApi();
    if (api === "legacy") {
      const res = await this.#http.raw({ path: `/api/dashboards/uid/${encodeURIComponent(uid)}` });
      if (res.status === 404) return null;
      if (res.status !== 200) throw this.#error(res, `dashboard lookup ${uid}`);
      const body = this.#parse(res, LegacyGet);
      const version = body.meta.version ?? (typeof body.dashboard.version === "number" ? body.dashboard.version : 0);
      return { dashboard: body.dashboard, folderUid: body.meta.folderUid, version, url: body.meta.url, api };
    }
    const res = await this.#http.raw({ path: this.#k8sPath(uid) });
    if (res.status === 404) return null;
    if (res.status !== 200) throw this.#error(res, `dashboard lookup ${uid}`);
    const body = this.#parse(res, K8sDashboard);
    const state: GrafanaDashboardState = {
      dashboard: { ...body.spec, uid: body.metadata.name },
      folderUid: body.metadata.annotations?.[FOLDER_ANNOTATION] ?? "",
      version: body.metadata.generation ?? 0,
      url: `/d/${body.metadata.name}`,
      api,
    };
    if (body.metadata.resourceVersion !== undefined) state.resourceVersion = body.metadata.resourceVersion;
    return state;
  }

  /**
   * Creates or updates a dashboard. A stale version (412 version-mismatch / name-exists, or 409
   * on the new API) is retried once against the version currently stored.
   */
  async pushDashboard(dashboard: Dashboard | Record<string, unknown>, opts: PushDashboardOptions = {}): Promise<PushDashboardResult> {
    const uid = typeof dashboard.uid === "string" ? dashboard.uid : "";
    if (!uid) throw new TypeError("dashboard.uid is required: Burnrate only pushes dashboards with stable uids");
    const api = await this.dashboardApi();
    return api === "legacy" ? this.#pushLegacy(uid, dashboard, opts) : this.#pushK8s(uid, dashboard, opts);
  }

  async #pushLegacy(uid: string, dashboard: Record<string, unknown>, opts: PushDashboardOptions): Promise<PushDashboardResult> {
    const { id, version, ...rest } = dashboard;
    const send = (model: Record<string, unknown>) => {
      const body: Record<string, unknown> = { dashboard: sortJsonKeys(model), overwrite: opts.overwrite === true };
      if (opts.folderUid !== undefined) body.folderUid = opts.folderUid;
      if (opts.message !== undefined) body.message = opts.message;
      return this.#http.raw({ method: "POST", path: "/api/dashboards/db", json: body });
    };
    const first: Record<string, unknown> = { ...rest, id: typeof id === "number" ? id : null };
    if (typeof version === "number") first.version = version;
    let res = await send(first);
    let retried = false;
    if (res.status === 412) {
      const reason = this.#status412(res);
      if (reason !== "version-mismatch" && reason !== "name-exists") throw this.#error(res, `dashboard save ${uid}`);
      const current = await this.getDashboard(uid);
      if (!current) throw this.#error(res, `dashboard save ${uid}`);
      retried = true;
      const currentId = typeof current.dashboard.id === "number" ? current.dashboard.id : null;
      res = await send({ ...rest, id: currentId, version: current.version });
      if (res.status === 412) {
        const err = this.#error(res, `dashboard save ${uid}`);
        err.message = `Grafana dashboard ${uid} was changed again while saving (${this.#status412(res)}); retry the sync, or push with overwrite`;
        throw err;
      }
    }
    if (res.status !== 200) throw this.#error(res, `dashboard save ${uid}`, opts.folderUid);
    const saved = this.#parse(res, SaveResponse);
    return { uid: saved.uid, version: saved.version, url: saved.url, status: saved.version <= 1 ? "created" : "updated", api: "legacy", retried };
  }

  async #pushK8s(uid: string, dashboard: Record<string, unknown>, opts: PushDashboardOptions): Promise<PushDashboardResult> {
    const { id: _id, version: _version, ...spec } = dashboard;
    const annotations: Record<string, string> = {};
    if (opts.folderUid) annotations[FOLDER_ANNOTATION] = opts.folderUid;
    if (opts.message) annotations[MESSAGE_ANNOTATION] = opts.message;
    const resource = (resourceVersion?: string) => ({
      apiVersion: "dashboard.grafana.app/v1beta1",
      kind: "Dashboard",
      metadata: { name: uid, annotations, ...(resourceVersion ? { resourceVersion } : {}) },
      spec: sortJsonKeys(spec),
    });
    const done = (res: RawResponse, status: "created" | "updated", retried: boolean): PushDashboardResult => {
      const body = this.#parse(res, K8sDashboard);
      return { uid: body.metadata.name, version: body.metadata.generation ?? 1, url: `/d/${body.metadata.name}`, status, api: "dashboard.grafana.app", retried };
    };
    let current = await this.getDashboard(uid);
    let retried = false;
    if (!current) {
      const res = await this.#http.raw({ method: "POST", path: this.#k8sPath(), json: resource() });
      if (res.status === 200 || res.status === 201) return done(res, "created", false);
      if (res.status !== 409) throw this.#error(res, `dashboard create ${uid}`, opts.folderUid);
      retried = true;
      current = await this.getDashboard(uid);
      if (!current) throw this.#error(res, `dashboard create ${uid}`);
    }
    for (let attempt = 0; ; attempt++) {
      const rv = opts.overwrite ? undefined : current.resourceVersion;
      const res = await this.#http.raw({ method: "PUT", path: this.#k8sPath(uid), json: resource(rv) });
      if (res.status === 200 || res.status === 201) return done(res, "updated", retried);
      if (res.status !== 409 || attempt > 0) throw this.#error(res, `dashboard update ${uid}`, opts.folderUid);
      retried = true;
      const again = await this.getDashboard(uid);
      if (!again) throw this.#error(res, `dashboard update ${uid}`);
      current = again;
    }
  }

  /**
   * `GET /api/search?type=dash-db[&tag=…]`, following `page` until a page returns fewer than
   * `limit` hits (Grafana: `limit` defaults to 1000, max 5000; `page` starts at 1). Stops early if
   * a page brings no new uid, so a server that ignores `page` cannot loop forever.
   */
  async searchDashboards(opts: { tag?: string; pageSize?: number } = {}): Promise<DashboardSearchHit[]> {
    const size = opts.pageSize !== undefined && Number.isFinite(opts.pageSize) ? Math.floor(opts.pageSize) : SEARCH_DEFAULT_LIMIT;
    const limit = Math.min(SEARCH_MAX_LIMIT, Math.max(1, size));
    const byUid = new Map<string, DashboardSearchHit>();
    for (let page = 1; ; page++) {
      const res = await this.#http.raw({ path: "/api/search", query: { type: "dash-db", limit, page, tag: opts.tag || undefined } });
      if (res.status !== 200) throw this.#error(res, "dashboard search");
      const hits = this.#parse(res, SearchHits);
      let fresh = 0;
      for (const h of hits) {
        if ((h.type !== undefined && h.type !== "dash-db") || byUid.has(h.uid)) continue;
        byUid.set(h.uid, { uid: h.uid, title: h.title, folderUid: h.folderUid, tags: h.tags ?? [], url: h.url });
        fresh++;
      }
      if (hits.length < limit || fresh === 0) break;
    }
    return [...byUid.values()];
  }

  /**
   * Dashboards Burnrate created: tagged `managedTag` AND in `defaultFolder` or a folder whose uid
   * starts with `managedFolderPrefix`. A user's dashboard lacking either marker is never returned.
   */
  async managedDashboards(opts: ManagedDashboardSelector = {}): Promise<DashboardSearchHit[]> {
    const tag = opts.managedTag ?? BURNRATE_DASHBOARD_TAG;
    const prefix = opts.managedFolderPrefix ?? BURNRATE_FOLDER_PREFIX;
    const defaultFolder = (opts.defaultFolder ?? DEFAULT_FOLDER).uid;
    const managedFolder = (uid: string) => uid !== "" && (uid === defaultFolder || (prefix !== "" && uid.startsWith(prefix)));
    const hits = await this.searchDashboards({ tag, ...(opts.searchPageSize !== undefined ? { pageSize: opts.searchPageSize } : {}) });
    // the tag is checked again here: a server ignoring `tag` must not widen what gets deleted
    return hits.filter((h) => h.tags.includes(tag) && managedFolder(h.folderUid)).sort((a, b) => a.uid.localeCompare(b.uid));
  }

  /**
   * Managed dashboards whose uid is not in `desired`: what pruning would delete. With an empty
   * desired list nothing is planned for deletion unless `allowEmpty` is set.
   */
  async staleDashboards(desired: Array<{ uid: string }>, opts: StaleDashboardsOptions = {}): Promise<StaleDashboardPlan> {
    const managed = await this.managedDashboards(opts);
    const want = new Set(desired.map((d) => d.uid));
    const stale = managed.filter((h) => !want.has(h.uid));
    if (desired.length === 0 && managed.length > 0 && !opts.allowEmpty) {
      return {
        stale: [],
        managed: managed.length,
        skipped: `not deleting ${managed.length} managed dashboard(s): the desired list is empty (pass allowEmpty to delete them all)`,
      };
    }
    return { stale, managed: managed.length };
  }

  /**
   * Deletes a dashboard: `DELETE /api/dashboards/uid/:uid` on the legacy API, or
   * `DELETE /apis/dashboard.grafana.app/v1beta1/namespaces/:ns/dashboards/:uid` when the new API is
   * in use (the same API pushes go through). A missing dashboard is reported as "not_found".
   */
  async deleteDashboard(uid: string): Promise<DeleteDashboardResult> {
    if (!uid) throw new TypeError("uid is required");
    const api = await this.dashboardApi();
    const path = api === "legacy" ? `/api/dashboards/uid/${encodeURIComponent(uid)}` : this.#k8sPath(uid);
    const res = await this.#http.raw({ method: "DELETE", path });
    if (res.status === 200 || res.status === 202 || res.status === 204) return { uid, status: "deleted", api };
    if (res.status === 404) return { uid, status: "not_found", api };
    throw this.#error(res, `dashboard delete ${uid}`);
  }

  /**
   * Pushes dashboards whose content hash (stamped in the description by the domain builders)
   * differs from the stored one, or that sit in the wrong folder. Folder per dashboard comes from
   * its `team:<slug>` tag; dashboards without a mapped team go to `defaultFolder`.
   * Failures are reported per dashboard; an authentication failure stops the sync.
   *
   * With `prune`, managed dashboards (tag `burnrate` and a Burnrate folder, see
   * `ManagedDashboardSelector`) that are not in `dashboards` are deleted afterwards; each deletion
   * is reported (`stale: true`), and a failed one does not stop the others. An empty `dashboards`
   * list never deletes anything unless `allowEmpty` is set.
   */
  async syncDashboards(dashboards: Array<Dashboard>, folderByTeam: Record<string, FolderRef>, opts: SyncDashboardsOptions = {}): Promise<DashboardSyncReport> {
    const defaultFolder = opts.defaultFolder ?? DEFAULT_FOLDER;
    const ensured = new Map<string, Promise<unknown>>();
    const results: DashboardSyncResult[] = [];
    let fatal: GrafanaError | undefined;
    for (const d of [...dashboards].sort((a, b) => a.uid.localeCompare(b.uid))) {
      const team = d.tags.find((t) => t.startsWith("team:"))?.slice(5);
      const folder = (team && folderByTeam[team]) || defaultFolder;
      const base = { uid: d.uid, title: d.title, folderUid: folder.uid };
      if (fatal) {
        results.push({ ...base, action: "failed", reason: `skipped: ${fatal.message}` });
        continue;
      }
      try {
        if (!ensured.has(folder.uid)) ensured.set(folder.uid, this.ensureFolder(folder.uid, folder.title));
        await ensured.get(folder.uid);
        const current = await this.getDashboard(d.uid);
        const want = readDashboardStamp(d);
        const have = current ? readDashboardStamp(current.dashboard) : null;
        const currentTags = current && Array.isArray(current.dashboard.tags) ? (current.dashboard.tags as unknown[]) : [];
        const owned = !opts.ownerTag || currentTags.includes(opts.ownerTag);
        if (current && want && have && want.hash === have.hash && want.version === have.version && current.folderUid === folder.uid && owned) {
          results.push({ ...base, action: "unchanged", version: current.version, url: current.url });
          continue;
        }
        const reason = !current
          ? "new dashboard"
          : !have
            ? "stored dashboard is not stamped by Burnrate (edited by hand or created elsewhere)"
            : current.folderUid !== folder.uid
              ? `moved from folder "${current.folderUid}"`
              : owned
                ? "content changed"
                : "not yet tagged as pushed by this target";
        const tagged = opts.ownerTag && !d.tags.includes(opts.ownerTag) ? { ...d, tags: [...d.tags, opts.ownerTag] } : d;
        const model =
          current && current.api === "legacy"
            ? { ...tagged, id: typeof current.dashboard.id === "number" ? current.dashboard.id : null, version: current.version }
            : tagged;
        const pushed = await this.pushDashboard(model, { folderUid: folder.uid, message: opts.message ?? `Burnrate: ${reason}` });
        results.push({ ...base, action: current ? "updated" : "created", version: pushed.version, url: pushed.url, reason });
      } catch (err) {
        if (err instanceof GrafanaError && err.kind === "auth") fatal = err;
        results.push({ ...base, action: "failed", reason: err instanceof Error ? err.message : String(err) });
      }
    }
    let pruneSkipped: string | undefined;
    let pruneError: string | undefined;
    if (opts.prune && fatal) {
      pruneSkipped = `not pruning: ${fatal.message}`;
    } else if (opts.prune) {
      try {
        const plan = await this.staleDashboards(dashboards, { ...opts, defaultFolder, ...(opts.ownerTag ? { managedTag: opts.ownerTag } : {}) });
        pruneSkipped = plan.skipped;
        for (const h of plan.stale) {
          const base = { uid: h.uid, title: h.title, folderUid: h.folderUid, stale: true as const };
          if (fatal) {
            results.push({ ...base, action: "failed", reason: `delete skipped: ${fatal.message}` });
            continue;
          }
          try {
            const del = await this.deleteDashboard(h.uid);
            results.push({ ...base, action: "deleted", reason: del.status === "deleted" ? "no longer generated by Burnrate" : "already gone (HTTP 404)" });
          } catch (err) {
            // 401 (bad token) ends it; 403 may be one folder's permissions, so the others are still tried
            if (err instanceof GrafanaError && err.status === 401) fatal = err;
            results.push({ ...base, action: "failed", reason: `delete failed: ${err instanceof Error ? err.message : String(err)}` });
          }
        }
      } catch (err) {
        pruneError = `listing managed dashboards failed, nothing deleted: ${err instanceof Error ? err.message : String(err)}`;
      }
    }
    const count = (a: DashboardSyncResult["action"]) => results.filter((r) => r.action === a).length;
    const report: DashboardSyncReport = { results, created: count("created"), updated: count("updated"), unchanged: count("unchanged"), deleted: count("deleted"), failed: count("failed") };
    if (pruneSkipped !== undefined) report.pruneSkipped = pruneSkipped;
    if (pruneError !== undefined) report.pruneError = pruneError;
    return report;
  }

  #k8sPath(name?: string): string {
    const base = `${K8S_GROUP_PATH}/namespaces/${encodeURIComponent(this.#namespace)}/dashboards`;
    return name ? `${base}/${encodeURIComponent(name)}` : base;
  }

  #parse<S extends z.ZodType>(res: RawResponse, schema: S): z.output<S> {
    const parsed = schema.safeParse(this.#http.parseJson(res));
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      throw new GrafanaError({
        message: `unexpected response from Grafana at ${res.url}: ${issue ? `${issue.path.join(".") || "(root)"}: ${issue.message}` : "invalid"}`,
        service: "Grafana",
        url: res.url,
        kind: "invalid_response",
        status: res.status,
      });
    }
    return parsed.data;
  }

  #folder(res: RawResponse): FolderRef {
    const f = this.#parse(res, Folder);
    return { uid: f.uid, title: f.title };
  }

  #status412(res: RawResponse): string | undefined {
    try {
      const s = (JSON.parse(res.text) as { status?: unknown }).status;
      return typeof s === "string" ? s : undefined;
    } catch {
      return undefined;
    }
  }

  #error(res: RawResponse, what: string, folderUid?: string): GrafanaError {
    let message = "";
    let status: string | undefined;
    try {
      const body = JSON.parse(res.text) as { message?: unknown; status?: unknown };
      if (typeof body.message === "string") message = body.message;
      if (typeof body.status === "string") status = body.status;
    } catch {
      message = bodyExcerpt(res.text, EXCERPT_LEN);
    }
    const detail = message ? `: ${message}` : "";
    let text: string;
    let kind: GrafanaError["kind"] = "http";
    if (res.status === 401) {
      kind = "auth";
      text = this.#hasToken
        ? `Grafana rejected the service-account token (HTTP 401) during ${what}${detail}; check that the token is valid and not expired`
        : `Grafana requires authentication (HTTP 401) during ${what}${detail}; configure a service-account token (Authorization: Bearer)`;
    } else if (res.status === 403) {
      kind = "auth";
      text = what.startsWith("dashboard delete")
        ? `Grafana denied ${what} (HTTP 403)${detail}; the service account needs dashboards:delete (Editor role) on the dashboard's folder`
        : `Grafana denied ${what} (HTTP 403)${detail}; the service account needs the Editor role (dashboards:write, folders:create) on the target folder`;
    } else if (res.status === 412) {
      kind = "conflict";
      text = `Grafana refused ${what} (HTTP 412 ${status ?? "precondition failed"})${detail}`;
    } else if (res.status === 409) {
      kind = "conflict";
      text = `Grafana reported a conflict during ${what} (HTTP 409)${detail}`;
    } else if ((res.status === 404 || res.status === 400) && folderUid !== undefined && /folder/i.test(message)) {
      kind = "not_found";
      text = `Grafana folder "${folderUid}" does not exist (HTTP ${res.status}) during ${what}${detail}; create it first (ensureFolder)`;
    } else {
      if (res.status === 404) kind = "not_found";
      text = `Grafana ${what} failed (HTTP ${res.status})${detail}`;
    }
    const err = new GrafanaError({ message: text, service: "Grafana", url: res.url, kind, status: res.status, bodyExcerpt: bodyExcerpt(res.text, EXCERPT_LEN) });
    if (status !== undefined) err.grafanaStatus = status;
    return err;
  }
}
