import { sortJsonKeys, type Dashboard, readDashboardStamp } from "@burnrate/domain";
import { z } from "zod";
import { excerpt, Upstream, UpstreamError, type UpstreamResponse } from "./upstream";

/**
 * Grafana HTTP client for dashboards and folders, authenticated with a service-account token
 * (`Authorization: Bearer`). Uses the legacy `/api/dashboards/db` API, or the newer
 * `dashboard.grafana.app` API when the server advertises it (probed once).
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
  action: "created" | "updated" | "unchanged" | "failed";
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
  failed: number;
};

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
const Health = z.object({ database: z.string().optional(), version: z.string().optional(), commit: z.string().optional() }).loose();

const FOLDER_ANNOTATION = "grafana.app/folder";
const MESSAGE_ANNOTATION = "grafana.app/message";
const K8S_GROUP_PATH = "/apis/dashboard.grafana.app/v1beta1";

export class GrafanaClient {
  readonly #http: Upstream;
  readonly #token: string;
  readonly #namespace: string;
  #api: GrafanaApi | undefined;

  constructor(opts: GrafanaClientOptions) {
    this.#http = new Upstream("Grafana", opts.baseUrl, opts.timeoutMs ?? 10_000, opts.fetch);
    this.#token = opts.token ?? "";
    this.#namespace = opts.namespace ?? "default";
    if (opts.api && opts.api !== "auto") this.#api = opts.api;
  }

  get baseUrl(): string {
    return this.#http.baseUrl;
  }

  /** `GET /api/health` (no auth needed). */
  async health(): Promise<{ database: string; version: string }> {
    const res = await this.#http.request({ path: "/api/health" });
    if (res.status !== 200) throw this.#error(res, "health check");
    const h = this.#parse(res, Health);
    if (h.database !== undefined && h.database !== "ok") {
      throw new GrafanaError(`Grafana at ${this.baseUrl} is unhealthy: database ${h.database}`, "Grafana", res.url, "http", res.status);
    }
    return { database: h.database ?? "ok", version: h.version ?? "" };
  }

  /** Which dashboard API is used: probes `/apis/dashboard.grafana.app/v1beta1` once in "auto" mode. */
  async dashboardApi(): Promise<GrafanaApi> {
    if (this.#api) return this.#api;
    const res = await this.#request({ path: K8S_GROUP_PATH });
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
    const got = await this.#request({ path });
    if (got.status === 200) return { ...this.#folder(got), created: false };
    if (got.status !== 404) throw this.#error(got, `folder lookup ${uid}`);
    const res = await this.#request({ method: "POST", path: "/api/folders", body: JSON.stringify({ uid, title }) });
    if (res.status === 200 || res.status === 201) return { ...this.#folder(res), created: true };
    if (res.status === 409 || res.status === 412) {
      // created concurrently, or a folder with this title exists elsewhere
      const again = await this.#request({ path });
      if (again.status === 200) return { ...this.#folder(again), created: false };
    }
    throw this.#error(res, `folder create ${uid} ("${title}")`);
  }

  /** The stored dashboard, or null when there is none with this uid. */
  async getDashboard(uid: string): Promise<GrafanaDashboardState | null> {
    const api = await this.dashboardApi();
    if (api === "legacy") {
      const res = await this.#request({ path: `/api/dashboards/uid/${encodeURIComponent(uid)}` });
      if (res.status === 404) return null;
      if (res.status !== 200) throw this.#error(res, `dashboard lookup ${uid}`);
      const body = this.#parse(res, LegacyGet);
      const version = body.meta.version ?? (typeof body.dashboard.version === "number" ? body.dashboard.version : 0);
      return { dashboard: body.dashboard, folderUid: body.meta.folderUid, version, url: body.meta.url, api };
    }
    const res = await this.#request({ path: this.#k8sPath(uid) });
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
      return this.#request({ method: "POST", path: "/api/dashboards/db", body: JSON.stringify(body) });
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
    const done = (res: UpstreamResponse, status: "created" | "updated", retried: boolean): PushDashboardResult => {
      const body = this.#parse(res, K8sDashboard);
      return { uid: body.metadata.name, version: body.metadata.generation ?? 1, url: `/d/${body.metadata.name}`, status, api: "dashboard.grafana.app", retried };
    };
    let current = await this.getDashboard(uid);
    let retried = false;
    if (!current) {
      const res = await this.#request({ method: "POST", path: this.#k8sPath(), body: JSON.stringify(resource()) });
      if (res.status === 200 || res.status === 201) return done(res, "created", false);
      if (res.status !== 409) throw this.#error(res, `dashboard create ${uid}`, opts.folderUid);
      retried = true;
      current = await this.getDashboard(uid);
      if (!current) throw this.#error(res, `dashboard create ${uid}`);
    }
    for (let attempt = 0; ; attempt++) {
      const rv = opts.overwrite ? undefined : current.resourceVersion;
      const res = await this.#request({ method: "PUT", path: this.#k8sPath(uid), body: JSON.stringify(resource(rv)) });
      if (res.status === 200 || res.status === 201) return done(res, "updated", retried);
      if (res.status !== 409 || attempt > 0) throw this.#error(res, `dashboard update ${uid}`, opts.folderUid);
      retried = true;
      const again = await this.getDashboard(uid);
      if (!again) throw this.#error(res, `dashboard update ${uid}`);
      current = again;
    }
  }

  /**
   * Pushes dashboards whose content hash (stamped in the description by the domain builders)
   * differs from the stored one, or that sit in the wrong folder. Folder per dashboard comes from
   * its `team:<slug>` tag; dashboards without a mapped team go to `defaultFolder`.
   * Failures are reported per dashboard; an authentication failure stops the sync.
   */
  async syncDashboards(
    dashboards: Array<Dashboard>,
    folderByTeam: Record<string, FolderRef>,
    opts: { defaultFolder?: FolderRef; message?: string } = {},
  ): Promise<DashboardSyncReport> {
    const defaultFolder = opts.defaultFolder ?? { uid: "burnrate", title: "Burnrate" };
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
        if (current && want && have && want.hash === have.hash && want.version === have.version && current.folderUid === folder.uid) {
          results.push({ ...base, action: "unchanged", version: current.version, url: current.url });
          continue;
        }
        const reason = !current
          ? "new dashboard"
          : !have
            ? "stored dashboard is not stamped by Burnrate (edited by hand or created elsewhere)"
            : current.folderUid !== folder.uid
              ? `moved from folder "${current.folderUid}"`
              : "content changed";
        const model =
          current && current.api === "legacy"
            ? { ...d, id: typeof current.dashboard.id === "number" ? current.dashboard.id : null, version: current.version }
            : d;
        const pushed = await this.pushDashboard(model, { folderUid: folder.uid, message: opts.message ?? `Burnrate: ${reason}` });
        results.push({ ...base, action: current ? "updated" : "created", version: pushed.version, url: pushed.url, reason });
      } catch (err) {
        if (err instanceof GrafanaError && err.kind === "auth") fatal = err;
        results.push({ ...base, action: "failed", reason: err instanceof Error ? err.message : String(err) });
      }
    }
    const count = (a: DashboardSyncResult["action"]) => results.filter((r) => r.action === a).length;
    return { results, created: count("created"), updated: count("updated"), unchanged: count("unchanged"), failed: count("failed") };
  }

  #k8sPath(name?: string): string {
    const base = `${K8S_GROUP_PATH}/namespaces/${encodeURIComponent(this.#namespace)}/dashboards`;
    return name ? `${base}/${encodeURIComponent(name)}` : base;
  }

  #request(req: { method?: "GET" | "POST" | "PUT" | "DELETE"; path: string; body?: string }): Promise<UpstreamResponse> {
    const headers: Record<string, string> = {};
    if (this.#token) headers.authorization = `Bearer ${this.#token}`;
    return this.#http.request({ ...req, headers, contentType: "application/json" });
  }

  #parse<S extends z.ZodType>(res: UpstreamResponse, schema: S): z.output<S> {
    const parsed = schema.safeParse(this.#http.json(res));
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      throw new GrafanaError(
        `unexpected response from Grafana at ${res.url}: ${issue ? `${issue.path.join(".") || "(root)"}: ${issue.message}` : "invalid"}`,
        "Grafana",
        res.url,
        "invalid_response",
        res.status,
      );
    }
    return parsed.data;
  }

  #folder(res: UpstreamResponse): FolderRef {
    const f = this.#parse(res, Folder);
    return { uid: f.uid, title: f.title };
  }

  #status412(res: UpstreamResponse): string | undefined {
    try {
      const s = (JSON.parse(res.text) as { status?: unknown }).status;
      return typeof s === "string" ? s : undefined;
    } catch {
      return undefined;
    }
  }

  #error(res: UpstreamResponse, what: string, folderUid?: string): GrafanaError {
    let message = "";
    let status: string | undefined;
    try {
      const body = JSON.parse(res.text) as { message?: unknown; status?: unknown };
      if (typeof body.message === "string") message = body.message;
      if (typeof body.status === "string") status = body.status;
    } catch {
      message = excerpt(res.text);
    }
    const detail = message ? `: ${message}` : "";
    let text: string;
    let kind: GrafanaError["kind"] = "http";
    if (res.status === 401) {
      kind = "auth";
      text = this.#token
        ? `Grafana rejected the service-account token (HTTP 401) during ${what}${detail}; check that the token is valid and not expired`
        : `Grafana requires authentication (HTTP 401) during ${what}${detail}; configure a service-account token (Authorization: Bearer)`;
    } else if (res.status === 403) {
      kind = "auth";
      text = `Grafana denied ${what} (HTTP 403)${detail}; the service account needs the Editor role (dashboards:write, folders:create) on the target folder`;
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
    const err = new GrafanaError(text, "Grafana", res.url, kind, res.status, excerpt(res.text));
    if (status !== undefined) err.grafanaStatus = status;
    return err;
  }
}
