import type { IncomingMessage, ServerResponse } from "node:http";
import { listen, pathSegments, type RecordedRequest, sendJson } from "./http-util";

/**
 * A fake Grafana enforcing the documented HTTP contract (docs/sources/developers/http_api/
 * dashboard.md, folder.md, apis.md):
 * - every /api/* call except /api/health needs `Authorization: Bearer <token>` (401 otherwise;
 *   viewer tokens get 403 on writes);
 * - POST bodies must be `application/json`;
 * - POST /api/dashboards/db takes `{dashboard:{uid,title,...}, folderUid?, overwrite?, message?}`,
 *   rejects unknown folders, answers 412 `{"status":"version-mismatch"}` when `dashboard.version`
 *   is stale and overwrite is false, 412 name-exists when `dashboard.id` names another dashboard
 *   with the same uid, increments versions and returns `{id,uid,url,status,version,slug}`;
 * - GET /api/dashboards/uid/:uid returns `{dashboard, meta:{folderUid,version,url,slug}}`;
 * - DELETE /api/dashboards/uid/:uid (folder_dashboard docs: 200 `{title,message,id}`, 401, 403
 *   for non-editors, 404 for an unknown uid);
 * - GET /api/search (folder_dashboard_search.md): `type` dash-db|dash-folder, repeated `tag`
 *   (a hit must carry every tag), `query` (title substring), `folderUIDs`, `dashboardUIDs`,
 *   `limit` (default 1000 when missing or invalid, 422 above 5000), `page` (from 1; `limit` is
 *   the page size); hits sorted by title; dashboards at the root carry no folder fields;
 * - optional `dashboard.grafana.app/v1beta1` API (POST 201 / 409 exists, PUT 409 on stale
 *   metadata.resourceVersion, GET/DELETE 404) sharing the same store.
 */

export type StoredDashboard = { id: number; uid: string; version: number; folderUid: string; model: Record<string, unknown>; messages: string[] };

export type FakeGrafanaOptions = {
  /** Tokens with Editor rights. */
  tokens?: string[];
  /** Tokens with Viewer rights (reads only). */
  viewerTokens?: string[];
  /** Serve the dashboard.grafana.app/v1beta1 API. */
  k8sApi?: boolean;
};

export class FakeGrafana {
  readonly dashboards = new Map<string, StoredDashboard>();
  readonly folders = new Map<string, { uid: string; title: string; id: number; version: number }>();
  readonly requests: RecordedRequest[] = [];
  url = "";
  /** Test hook run before each write is processed (e.g. to simulate a concurrent edit). */
  beforeWrite: ((method: string, path: string) => void) | undefined;
  /** Test hook: return a response to send instead of handling an authenticated request (e.g. a 500). */
  intercept: ((method: string, path: string) => { status: number; body: unknown } | undefined) | undefined;
  #close: (() => Promise<void>) | undefined;
  #nextId = 1;

  constructor(readonly opts: FakeGrafanaOptions = {}) {}

  async start(): Promise<this> {
    const { url, close } = await listen((req, res, body) => this.#handle(req, res, body));
    this.url = url;
    this.#close = close;
    return this;
  }

  async stop(): Promise<void> {
    await this.#close?.();
  }

  /** Simulates someone editing the dashboard in the UI (bumps the version, changes the model). */
  editByHand(uid: string, patch: Record<string, unknown> = { description: "edited by hand" }): void {
    const d = this.dashboards.get(uid);
    if (!d) throw new Error(`no dashboard ${uid}`);
    d.version += 1;
    d.model = { ...d.model, ...patch, version: d.version };
  }

  /** Stores a dashboard directly (as if made in the UI by someone else), creating its folder if needed. */
  seed(uid: string, opts: { title?: string; tags?: string[]; folderUid?: string; description?: string } = {}): StoredDashboard {
    const folderUid = opts.folderUid ?? "";
    if (folderUid && !this.folders.has(folderUid)) this.folders.set(folderUid, { uid: folderUid, title: folderUid, id: this.#nextId++, version: 1 });
    const id = this.#nextId++;
    const d: StoredDashboard = {
      id,
      uid,
      version: 1,
      folderUid,
      model: { id, uid, version: 1, title: opts.title ?? uid, tags: opts.tags ?? [], description: opts.description ?? "", panels: [] },
      messages: [""],
    };
    this.dashboards.set(uid, d);
    return d;
  }

  writes(): RecordedRequest[] {
    return this.requests.filter((r) => r.method !== "GET");
  }

  #handle(req: IncomingMessage, res: ServerResponse, body: string): void {
    const method = req.method ?? "GET";
    const rawPath = (req.url ?? "/").split("?")[0] ?? "/";
    this.requests.push({ method, path: rawPath, headers: req.headers, body });
    const seg = pathSegments(req.url ?? "/");

    if (method === "GET" && rawPath === "/api/health") return sendJson(res, 200, { commit: "fake", database: "ok", version: "12.0.0-fake" });

    // authentication (service-account token)
    const auth = req.headers.authorization;
    if (!auth) return sendJson(res, 401, { message: "Unauthorized" });
    const m = /^Bearer (.+)$/.exec(auth);
    const token = m?.[1] ?? "";
    const editor = (this.opts.tokens ?? ["test-token"]).includes(token);
    const viewer = (this.opts.viewerTokens ?? []).includes(token);
    if (!editor && !viewer) return sendJson(res, 401, { message: "invalid API key" });
    const intercepted = this.intercept?.(method, rawPath);
    if (intercepted) return sendJson(res, intercepted.status, intercepted.body);
    if (method !== "GET" && !editor) {
      const permission = method === "DELETE" ? "dashboards:delete" : "dashboards:write";
      return sendJson(res, 403, { message: `You'll need additional permissions to perform this action. Permissions needed: ${permission}` });
    }

    if (method !== "GET") this.beforeWrite?.(method, rawPath);
    let json: Record<string, unknown> = {};
    if (method === "POST" || method === "PUT") {
      const type = req.headers["content-type"] ?? "";
      if (!type.startsWith("application/json")) return sendJson(res, 415, { message: "Unsupported Media Type: expected application/json" });
      try {
        const parsed: unknown = JSON.parse(body);
        if (parsed === null || typeof parsed !== "object" || Array.isArray(parsed)) throw new Error("not an object");
        json = parsed as Record<string, unknown>;
      } catch {
        return sendJson(res, 400, { message: "bad request data" });
      }
    }

    if (seg[0] === "api" && seg[1] === "folders") {
      if (method === "GET" && seg.length === 3) {
        const f = this.folders.get(seg[2] ?? "");
        return f ? sendJson(res, 200, { ...f, url: `/dashboards/f/${f.uid}/` }) : sendJson(res, 404, { message: "folder not found", status: "not-found" });
      }
      if (method === "POST" && seg.length === 2) {
        const uid = typeof json.uid === "string" ? json.uid : `f${this.#nextId}`;
        const title = json.title;
        if (typeof title !== "string" || title.trim() === "") return sendJson(res, 400, { message: "folder title cannot be empty" });
        if (this.folders.has(uid)) return sendJson(res, 409, { message: "a folder with the same uid already exists" });
        const f = { uid, title, id: this.#nextId++, version: 1 };
        this.folders.set(uid, f);
        return sendJson(res, 200, { ...f, url: `/dashboards/f/${uid}/` });
      }
    }

    if (seg[0] === "api" && seg[1] === "search" && seg.length === 2 && method === "GET") return this.#search(res, new URL(req.url ?? "/", "http://fake").searchParams);

    if (seg[0] === "api" && seg[1] === "dashboards") {
      if (method === "POST" && seg[2] === "db" && seg.length === 3) return this.#save(res, json);
      if (method === "DELETE" && seg[2] === "uid" && seg.length === 4) {
        const d = this.dashboards.get(seg[3] ?? "");
        if (!d) return sendJson(res, 404, { message: "Dashboard not found" });
        this.dashboards.delete(d.uid);
        const title = String(d.model.title ?? "");
        return sendJson(res, 200, { title, message: `Dashboard ${title} deleted`, id: d.id });
      }
      if (method === "GET" && seg[2] === "uid" && seg.length === 4) {
        const d = this.dashboards.get(seg[3] ?? "");
        if (!d) return sendJson(res, 404, { message: "Dashboard not found" });
        return sendJson(res, 200, {
          dashboard: { ...d.model, id: d.id, uid: d.uid, version: d.version },
          meta: { folderUid: d.folderUid, version: d.version, url: `/d/${d.uid}/${slug(d.model.title)}`, slug: slug(d.model.title), canSave: editor },
        });
      }
    }

    if (seg[0] === "apis" && seg[1] === "dashboard.grafana.app" && seg[2] === "v1beta1") {
      if (!this.opts.k8sApi) return sendJson(res, 404, { message: "Not found" });
      return this.#k8s(res, method, seg.slice(3), json);
    }
    return sendJson(res, 404, { message: "Not found" });
  }

  #search(res: ServerResponse, q: URLSearchParams): void {
    const rawLimit = Number.parseInt(q.get("limit") ?? "", 10);
    if (rawLimit > 5000) return sendJson(res, 422, { message: "Limit is above maximum allowed (5000), use page parameter to access hits beyond limit" });
    const limit = Number.isFinite(rawLimit) && rawLimit >= 1 ? rawLimit : 1000;
    const rawPage = Number.parseInt(q.get("page") ?? "", 10);
    const page = Number.isFinite(rawPage) && rawPage >= 1 ? rawPage : 1;
    const type = q.get("type") ?? "";
    const tags = q.getAll("tag");
    const text = (q.get("query") ?? "").toLowerCase();
    const folderUids = q.getAll("folderUIDs");
    const dashboardUids = q.getAll("dashboardUIDs");
    type Hit = Record<string, unknown> & { title: string; uid: string };
    const hits: Hit[] = [];
    if (type === "" || type === "dash-folder") {
      for (const f of this.folders.values()) {
        if (tags.length || dashboardUids.length || folderUids.length) continue;
        if (text && !f.title.toLowerCase().includes(text)) continue;
        hits.push({ id: f.id, uid: f.uid, orgId: 1, title: f.title, uri: `db/${slug(f.title)}`, url: `/dashboards/f/${f.uid}/${slug(f.title)}`, slug: "", type: "dash-folder", tags: [], isStarred: false, sortMeta: 0 });
      }
    }
    if (type === "" || type === "dash-db") {
      for (const d of this.dashboards.values()) {
        const title = String(d.model.title ?? "");
        const dTags = Array.isArray(d.model.tags) ? d.model.tags.filter((t): t is string => typeof t === "string") : [];
        if (!tags.every((t) => dTags.includes(t))) continue;
        if (text && !title.toLowerCase().includes(text)) continue;
        if (folderUids.length && !folderUids.includes(d.folderUid)) continue;
        if (dashboardUids.length && !dashboardUids.includes(d.uid)) continue;
        const hit: Hit = { id: d.id, uid: d.uid, orgId: 1, title, uri: `db/${slug(title)}`, url: `/d/${d.uid}/${slug(title)}`, slug: "", type: "dash-db", tags: dTags, isStarred: false, sortMeta: 0 };
        const f = d.folderUid ? this.folders.get(d.folderUid) : undefined;
        if (f) Object.assign(hit, { folderId: f.id, folderUid: f.uid, folderTitle: f.title, folderUrl: `/dashboards/f/${f.uid}/${slug(f.title)}` });
        hits.push(hit);
      }
    }
    hits.sort((a, b) => a.title.toLowerCase().localeCompare(b.title.toLowerCase()) || a.uid.localeCompare(b.uid));
    return sendJson(res, 200, hits.slice((page - 1) * limit, page * limit));
  }

  #save(res: ServerResponse, body: Record<string, unknown>): void {
    const dash = body.dashboard;
    if (dash === null || typeof dash !== "object" || Array.isArray(dash)) return sendJson(res, 400, { message: "dashboard is required" });
    const model = dash as Record<string, unknown>;
    if (typeof model.title !== "string" || model.title.trim() === "") return sendJson(res, 400, { message: "Dashboard title cannot be empty", status: "empty-name" });
    if (model.uid !== undefined && model.uid !== null && (typeof model.uid !== "string" || model.uid.length > 40 || !/^[a-zA-Z0-9_-]+$/.test(model.uid))) {
      return sendJson(res, 400, { message: "uid contains illegal characters or is too long", status: "bad-uid" });
    }
    if (body.overwrite !== undefined && typeof body.overwrite !== "boolean") return sendJson(res, 400, { message: "overwrite must be a boolean" });
    if (body.message !== undefined && typeof body.message !== "string") return sendJson(res, 400, { message: "message must be a string" });
    if ("folderId" in body && !("folderUid" in body)) return sendJson(res, 400, { message: "folderId is deprecated; send folderUid" });
    const folderUid = typeof body.folderUid === "string" ? body.folderUid : "";
    if (folderUid !== "" && !this.folders.has(folderUid)) return sendJson(res, 404, { message: "Folder not found", status: "not-found" });
    const overwrite = body.overwrite === true;
    const uid = typeof model.uid === "string" ? model.uid : `gen${this.#nextId}`;
    const existing = this.dashboards.get(uid);
    const id = model.id;
    if (typeof id === "number") {
      const byId = [...this.dashboards.values()].find((d) => d.id === id);
      if (!byId) return sendJson(res, 404, { message: "Dashboard not found", status: "not-found" });
      if (byId.uid !== uid && !overwrite) return sendJson(res, 412, { message: "A dashboard with the same uid already exists", status: "name-exists" });
    }
    if (existing && !overwrite && model.version !== existing.version) {
      return sendJson(res, 412, { message: "The dashboard has been changed by someone else", status: "version-mismatch" });
    }
    const stored: StoredDashboard = existing
      ? { ...existing, version: existing.version + 1, folderUid, model }
      : { id: this.#nextId++, uid, version: 1, folderUid, model, messages: [] };
    stored.model = { ...model, id: stored.id, uid, version: stored.version };
    stored.messages = [...stored.messages, typeof body.message === "string" ? body.message : ""];
    this.dashboards.set(uid, stored);
    const s = slug(model.title);
    return sendJson(res, 200, { id: stored.id, uid, url: `/d/${uid}/${s}`, status: "success", version: stored.version, slug: s, folderUid });
  }

  #k8s(res: ServerResponse, method: string, seg: string[], body: Record<string, unknown>): void {
    if (seg.length === 0 && method === "GET") {
      return sendJson(res, 200, { kind: "APIResourceList", apiVersion: "v1", groupVersion: "dashboard.grafana.app/v1beta1", resources: [{ name: "dashboards", namespaced: true, kind: "Dashboard", verbs: ["create", "delete", "get", "list", "patch", "update"] }] });
    }
    if (seg[0] !== "namespaces" || seg[1] !== "default" || seg[2] !== "dashboards") return sendJson(res, 404, { kind: "Status", status: "Failure", reason: "NotFound", code: 404 });
    const name = seg[3];
    const toResource = (d: StoredDashboard) => ({
      kind: "Dashboard",
      apiVersion: "dashboard.grafana.app/v1beta1",
      metadata: { name: d.uid, namespace: "default", resourceVersion: String(d.version), generation: d.version, annotations: d.folderUid ? { "grafana.app/folder": d.folderUid } : {} },
      spec: (() => {
        const { id: _id, version: _v, ...spec } = d.model;
        return spec;
      })(),
    });
    const conflict = (message: string, reason = "Conflict") => sendJson(res, 409, { kind: "Status", apiVersion: "v1", status: "Failure", message, reason, code: 409 });
    if (method === "GET" && name) {
      const d = this.dashboards.get(name);
      return d ? sendJson(res, 200, toResource(d)) : sendJson(res, 404, { kind: "Status", status: "Failure", message: `dashboards.dashboard.grafana.app "${name}" not found`, reason: "NotFound", code: 404 });
    }
    if (method === "DELETE" && name) {
      const d = this.dashboards.get(name);
      if (!d) return sendJson(res, 404, { kind: "Status", status: "Failure", message: `dashboards.dashboard.grafana.app "${name}" not found`, reason: "NotFound", code: 404 });
      this.dashboards.delete(name);
      return sendJson(res, 200, { kind: "Status", apiVersion: "v1", status: "Success", details: { name, group: "dashboard.grafana.app", kind: "dashboards" } });
    }
    const meta = (body.metadata ?? {}) as { name?: string; resourceVersion?: string; annotations?: Record<string, string> };
    const spec = body.spec as Record<string, unknown> | undefined;
    if ((method === "POST" || method === "PUT") && (!spec || typeof spec.title !== "string")) return sendJson(res, 400, { kind: "Status", status: "Failure", message: "spec.title is required", reason: "BadRequest", code: 400 });
    const folderUid = meta.annotations?.["grafana.app/folder"] ?? "";
    if (folderUid && !this.folders.has(folderUid)) return sendJson(res, 400, { kind: "Status", status: "Failure", message: `folder ${folderUid} not found`, reason: "BadRequest", code: 400 });
    const message = meta.annotations?.["grafana.app/message"] ?? "";
    if (method === "POST" && !name) {
      if (!meta.name) return sendJson(res, 400, { kind: "Status", status: "Failure", message: "metadata.name is required", code: 400 });
      if (this.dashboards.has(meta.name)) return conflict(`dashboards.dashboard.grafana.app "${meta.name}" already exists`, "AlreadyExists");
      const d: StoredDashboard = { id: this.#nextId++, uid: meta.name, version: 1, folderUid, model: { ...spec, uid: meta.name, version: 1 }, messages: [message] };
      d.model.id = d.id;
      this.dashboards.set(d.uid, d);
      return sendJson(res, 201, toResource(d));
    }
    if (method === "PUT" && name) {
      const d = this.dashboards.get(name);
      if (!d) return sendJson(res, 404, { kind: "Status", status: "Failure", reason: "NotFound", code: 404 });
      if (meta.name !== name) return sendJson(res, 400, { kind: "Status", status: "Failure", message: "metadata.name does not match the URL", code: 400 });
      if (meta.resourceVersion !== undefined && meta.resourceVersion !== String(d.version)) {
        return conflict(`Operation cannot be fulfilled on dashboards.dashboard.grafana.app "${name}": the object has been modified; please apply your changes to the latest version and try again`);
      }
      d.version += 1;
      d.folderUid = folderUid;
      d.model = { ...spec, id: d.id, uid: name, version: d.version };
      d.messages.push(message);
      return sendJson(res, 200, toResource(d));
    }
    return sendJson(res, 405, { kind: "Status", status: "Failure", reason: "MethodNotAllowed", code: 405 });
  }
}

function slug(title: unknown): string {
  return String(title ?? "")
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-|-$/g, "");
}
