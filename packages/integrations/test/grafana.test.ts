import { doraDashboard, goldenSignalsDashboard, readDashboardStamp, serviceSloDashboard, sloOverviewDashboard, type SloDashboardBundle } from "@burnrate/domain";
import { afterEach, describe, expect, it } from "vitest";
import { GrafanaClient, GrafanaError } from "../src/grafana";
import { FakeGrafana } from "./contract-servers/fake-grafana";

const bundles: SloDashboardBundle[] = [
  { slo: { slug: "checkout-availability", name: "Checkout availability", service: "checkout", objective: 99.9, window: "30d" }, team: "shop" },
  { slo: { slug: "payments-availability", name: "Payments availability", service: "payments", objective: 99.95, window: "7d" }, team: "payments" },
];

let server: FakeGrafana;
afterEach(async () => {
  await server?.stop();
});

async function start(opts: ConstructorParameters<typeof FakeGrafana>[0] = {}): Promise<FakeGrafana> {
  server = await new FakeGrafana(opts).start();
  return server;
}

describe("GrafanaClient (legacy API)", () => {
  it("checks health without credentials", async () => {
    const s = await start();
    const c = new GrafanaClient({ baseUrl: s.url, token: "" , api: "legacy" });
    expect(await c.health()).toEqual({ database: "ok", version: "12.0.0-fake" });
  });

  it("sends Bearer tokens and JSON; ensureFolder creates once", async () => {
    const s = await start();
    const c = new GrafanaClient({ baseUrl: s.url, token: "test-token" });
    expect(await c.ensureFolder("team-shop", "Shop")).toEqual({ uid: "team-shop", title: "Shop", created: true });
    expect(await c.ensureFolder("team-shop", "Shop")).toEqual({ uid: "team-shop", title: "Shop", created: false });
    const post = s.requests.find((r) => r.method === "POST");
    expect(post?.headers.authorization).toBe("Bearer test-token");
    expect(post?.headers["content-type"]).toMatch(/^application\/json/);
    expect(await c.dashboardApi()).toBe("legacy");
  });

  it("creates, reads back and updates a dashboard with version bumps", async () => {
    const s = await start();
    const c = new GrafanaClient({ baseUrl: s.url, token: "test-token" });
    await c.ensureFolder("slo", "SLOs");
    const d = doraDashboard();
    const created = await c.pushDashboard(d, { folderUid: "slo", message: "first" });
    expect(created).toMatchObject({ uid: "dora", version: 1, status: "created", url: "/d/dora/dora-metrics", retried: false, api: "legacy" });

    const got = await c.getDashboard("dora");
    expect(got?.folderUid).toBe("slo");
    expect(got?.version).toBe(1);
    expect(readDashboardStamp(got?.dashboard ?? {})).toEqual(readDashboardStamp(d));

    // stale/no version → 412 version-mismatch → client re-reads the version and retries once
    const updated = await c.pushDashboard({ ...d, title: "DORA (v2)" }, { folderUid: "slo", message: "second" });
    expect(updated).toMatchObject({ uid: "dora", version: 2, status: "updated", retried: true });
    expect(s.dashboards.get("dora")?.messages).toEqual(["first", "second"]);
    const body = JSON.parse(s.writes().at(-1)?.body ?? "{}") as { dashboard: { id: number; version: number }; folderUid: string; overwrite: boolean; message: string };
    expect(body).toMatchObject({ folderUid: "slo", overwrite: false, message: "second", dashboard: { id: s.dashboards.get("dora")?.id, version: 1 } });
    expect(await c.getDashboard("missing")).toBeNull();
  });

  it("handles 412 version-mismatch when someone edited the dashboard meanwhile", async () => {
    const s = await start();
    const c = new GrafanaClient({ baseUrl: s.url, token: "test-token" });
    const d = doraDashboard();
    await c.pushDashboard(d);
    const seen = await c.getDashboard("dora");
    s.editByHand("dora"); // version 2 now
    const res = await c.pushDashboard({ ...d, id: seen?.dashboard.id as number, version: seen?.version as number });
    expect(res).toMatchObject({ version: 3, retried: true });
    expect(s.requests.filter((r) => r.path.startsWith("/api/dashboards/uid/")).length).toBe(2);
    expect(s.writes().map((r) => r.path)).toEqual(["/api/dashboards/db", "/api/dashboards/db", "/api/dashboards/db"]);
  });

  it("overwrite skips the version check", async () => {
    const s = await start();
    const c = new GrafanaClient({ baseUrl: s.url, token: "test-token" });
    await c.pushDashboard(doraDashboard());
    s.editByHand("dora");
    const res = await c.pushDashboard(doraDashboard(), { overwrite: true });
    expect(res).toMatchObject({ version: 3, retried: false });
  });

  it("missing token → clear 401 error", async () => {
    const s = await start();
    const c = new GrafanaClient({ baseUrl: s.url, token: "", api: "legacy" });
    const err = await c.pushDashboard(doraDashboard()).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(GrafanaError);
    expect((err as GrafanaError).status).toBe(401);
    expect((err as GrafanaError).kind).toBe("auth");
    expect((err as Error).message).toMatch(/requires authentication \(HTTP 401\).*service-account token/);
  });

  it("wrong token → 401, viewer token → 403, with actionable messages", async () => {
    const s = await start({ viewerTokens: ["viewer"] });
    const bad = new GrafanaClient({ baseUrl: s.url, token: "nope", api: "legacy" });
    await expect(bad.getDashboard("dora")).rejects.toThrow(/rejected the service-account token \(HTTP 401\)/);
    const viewer = new GrafanaClient({ baseUrl: s.url, token: "viewer", api: "legacy" });
    await expect(viewer.pushDashboard(doraDashboard())).rejects.toThrow(/denied dashboard save dora \(HTTP 403\).*Editor role/);
    // the token never leaks into messages
    const err = (await bad.getDashboard("x").catch((e: unknown) => e)) as Error;
    expect(err.message).not.toContain("nope");
  });

  it("unknown folder → clear error", async () => {
    const s = await start();
    const c = new GrafanaClient({ baseUrl: s.url, token: "test-token" });
    await expect(c.pushDashboard(doraDashboard(), { folderUid: "nope" })).rejects.toThrow(/folder "nope" does not exist/);
  });

  it("does not follow redirects", async () => {
    const s = await start();
    const { listen } = await import("./contract-servers/http-util");
    const redirect = await listen((_req, res) => {
      res.writeHead(302, { location: `${s.url}/api/health` });
      res.end();
    });
    try {
      const c = new GrafanaClient({ baseUrl: redirect.url, token: "test-token" });
      await expect(c.health()).rejects.toThrow(/redirect \(HTTP 302\); redirects are not followed/);
      expect(s.requests).toHaveLength(0);
    } finally {
      await redirect.close();
    }
  });

  it("times out", async () => {
    const { listen } = await import("./contract-servers/http-util");
    const slow = await listen(async (_req, res) => {
      await new Promise((r) => setTimeout(r, 500));
      res.end("{}");
    });
    try {
      const c = new GrafanaClient({ baseUrl: slow.url, token: "t", timeoutMs: 50, api: "legacy" });
      await expect(c.health()).rejects.toThrow(/timed out after 50ms/);
    } finally {
      await slow.close();
    }
  });
});

/** Every kind of generated dashboard, for the sync and pruning tests. */
const allDashboards = () => [
  sloOverviewDashboard(bundles),
  serviceSloDashboard("checkout", bundles),
  serviceSloDashboard("payments", bundles),
  goldenSignalsDashboard("checkout", { team: "shop" }),
  doraDashboard(),
];

describe("GrafanaClient.syncDashboards", () => {
  const all = allDashboards;
  const folders = { shop: { uid: "team-shop", title: "Shop" }, payments: { uid: "team-payments", title: "Payments" } };

  it("pushes new dashboards into team folders, then skips unchanged ones", async () => {
    const s = await start();
    const c = new GrafanaClient({ baseUrl: s.url, token: "test-token" });
    const first = await c.syncDashboards(all(), folders);
    expect(first).toMatchObject({ created: 5, updated: 0, unchanged: 0, failed: 0 });
    expect(Object.fromEntries(first.results.map((r) => [r.uid, r.folderUid]))).toEqual({
      dora: "burnrate",
      "golden-checkout": "team-shop",
      "slo-overview": "burnrate",
      "slo-svc-checkout": "team-shop",
      "slo-svc-payments": "team-payments",
    });
    expect([...s.folders.keys()].sort()).toEqual(["burnrate", "team-payments", "team-shop"]);

    const writesBefore = s.writes().length;
    const second = await c.syncDashboards(all(), folders);
    expect(second).toMatchObject({ created: 0, updated: 0, unchanged: 5, failed: 0 });
    expect(s.writes().length).toBe(writesBefore); // unchanged → no write request at all
  });

  it("updates only changed dashboards, without a 412 round trip", async () => {
    const s = await start();
    const c = new GrafanaClient({ baseUrl: s.url, token: "test-token" });
    await c.syncDashboards(all(), folders);
    const writesBefore = s.writes().length;
    const changed = all().map((d) => (d.uid === "dora" ? doraDashboard({ datasourceUid: "mimir" }) : d));
    const report = await c.syncDashboards(changed, folders);
    expect(report).toMatchObject({ updated: 1, unchanged: 4 });
    expect(report.results.find((r) => r.uid === "dora")).toMatchObject({ action: "updated", version: 2, reason: "content changed" });
    expect(s.writes().length).toBe(writesBefore + 1);
    expect(s.dashboards.get("dora")?.messages.at(-1)).toBe("Burnrate: content changed");
  });

  it("re-pushes dashboards edited by hand and moved folders", async () => {
    const s = await start();
    const c = new GrafanaClient({ baseUrl: s.url, token: "test-token" });
    await c.syncDashboards(all(), folders);
    s.editByHand("dora", { description: "hand edit" });
    const moved = { ...folders, shop: { uid: "shop-2", title: "Shop 2" } };
    const report = await c.syncDashboards(all(), moved);
    const by = Object.fromEntries(report.results.map((r) => [r.uid, r]));
    expect(by.dora).toMatchObject({ action: "updated", version: 3 });
    expect(by.dora?.reason).toMatch(/not stamped by Burnrate/);
    expect(by["slo-svc-checkout"]).toMatchObject({ action: "updated", folderUid: "shop-2" });
    expect(by["slo-svc-checkout"]?.reason).toMatch(/moved from folder "team-shop"/);
    expect(by["slo-svc-payments"]?.action).toBe("unchanged");
  });

  it("reports auth failures per dashboard and stops early", async () => {
    const s = await start();
    const c = new GrafanaClient({ baseUrl: s.url, token: "wrong", api: "legacy" });
    const report = await c.syncDashboards(all(), folders);
    expect(report.failed).toBe(5);
    expect(report.results[0]?.reason).toMatch(/HTTP 401/);
    expect(report.results[1]?.reason).toMatch(/^skipped: /);
    expect(s.requests.length).toBe(1);
  });
});

describe("GrafanaClient pruning (stale dashboards)", () => {
  const all = allDashboards;
  const folders = { shop: { uid: "burnrate-shop", title: "Burnrate · Shop" }, payments: { uid: "burnrate-payments", title: "Burnrate · Payments" } };
  const deletes = (s: FakeGrafana) => s.requests.filter((r) => r.method === "DELETE").map((r) => r.path);

  it("does not search or delete unless prune is set", async () => {
    const s = await start();
    const c = new GrafanaClient({ baseUrl: s.url, token: "test-token" });
    await c.syncDashboards(all(), folders);
    const report = await c.syncDashboards([doraDashboard()], folders);
    expect(report).toMatchObject({ unchanged: 1, deleted: 0 });
    expect(s.requests.some((r) => r.path === "/api/search")).toBe(false);
    expect(s.dashboards.size).toBe(5);
  });

  it("deletes managed dashboards that are no longer desired (SLO/service removed, team deleted), once", async () => {
    const s = await start();
    const c = new GrafanaClient({ baseUrl: s.url, token: "test-token" });
    expect(await c.syncDashboards(all(), folders, { prune: true })).toMatchObject({ created: 5, deleted: 0, failed: 0 });

    // the payments team is gone (its folder is no longer mapped) and so is checkout's golden dashboard
    const desired = all().filter((d) => d.uid !== "golden-checkout" && d.uid !== "slo-svc-payments");
    const report = await c.syncDashboards(desired, { shop: folders.shop }, { prune: true });
    expect(report).toMatchObject({ unchanged: 3, deleted: 2, failed: 0 });
    expect(report.pruneSkipped).toBeUndefined();
    expect(report.results.filter((r) => r.stale)).toEqual([
      { uid: "golden-checkout", title: "Golden signals: checkout", folderUid: "burnrate-shop", action: "deleted", stale: true, reason: "no longer generated by Burnrate" },
      { uid: "slo-svc-payments", title: "SLOs: payments", folderUid: "burnrate-payments", action: "deleted", stale: true, reason: "no longer generated by Burnrate" },
    ]);
    expect([...s.dashboards.keys()].sort()).toEqual(["dora", "slo-overview", "slo-svc-checkout"]);
    expect(deletes(s)).toEqual(["/api/dashboards/uid/golden-checkout", "/api/dashboards/uid/slo-svc-payments"]);
    const del = s.requests.find((r) => r.method === "DELETE");
    expect(del?.headers.authorization).toBe("Bearer test-token");
    const search = s.requests.find((r) => r.path === "/api/search");
    expect(search).toBeDefined();

    const again = await c.syncDashboards(desired, { shop: folders.shop }, { prune: true });
    expect(again).toMatchObject({ unchanged: 3, deleted: 0, failed: 0 });
    expect(deletes(s)).toHaveLength(2);
  });

  it("never touches a user's own dashboards: untagged in a Burnrate folder, tagged elsewhere or at the root", async () => {
    const s = await start();
    const c = new GrafanaClient({ baseUrl: s.url, token: "test-token" });
    await c.syncDashboards(all(), folders, { prune: true });
    s.seed("mine-untagged", { title: "My notes", folderUid: "burnrate-shop", tags: ["team:shop"] });
    s.seed("mine-other-folder", { title: "Ops overview", folderUid: "ops", tags: ["burnrate", "ops"] });
    s.seed("mine-root", { title: "Root board", tags: ["burnrate"] });
    s.seed("mine-lookalike-folder", { title: "Lookalike", folderUid: "burnrate2", tags: ["burnrate"] });
    s.seed("stale-managed", { title: "Old SLO", folderUid: "burnrate-shop", tags: ["burnrate", "slo"] });

    const plan = await c.staleDashboards(all());
    expect(plan.stale.map((h) => h.uid)).toEqual(["stale-managed"]);
    expect(plan.managed).toBe(6);

    const report = await c.syncDashboards(all(), folders, { prune: true });
    expect(report).toMatchObject({ unchanged: 5, deleted: 1, failed: 0 });
    expect(deletes(s)).toEqual(["/api/dashboards/uid/stale-managed"]);
    for (const uid of ["mine-untagged", "mine-other-folder", "mine-root", "mine-lookalike-folder"]) expect(s.dashboards.has(uid)).toBe(true);
  });

  it("with an owner tag, two installations sharing a Grafana never prune each other's dashboards", async () => {
    const s = await start();
    const a = new GrafanaClient({ baseUrl: s.url, token: "test-token" });
    const b = new GrafanaClient({ baseUrl: s.url, token: "test-token" });
    // Installation A pushes everything; its dashboards carry its owner tag.
    expect(await a.syncDashboards(all(), folders, { prune: true, ownerTag: "burnrate-target:A" })).toMatchObject({ created: 5, deleted: 0 });
    expect(s.dashboards.get("slo-svc-checkout")?.model.tags).toContain("burnrate-target:A");
    // Installation B only generates the DORA dashboard: with its own tag it deletes nothing of A's.
    const dora = all().filter((d) => d.uid === "dora");
    expect(await b.syncDashboards(dora, folders, { prune: true, ownerTag: "burnrate-target:B" })).toMatchObject({ deleted: 0, failed: 0 });
    expect([...s.dashboards.keys()].sort()).toEqual(["dora", "golden-checkout", "slo-overview", "slo-svc-checkout", "slo-svc-payments"]);
    expect(deletes(s)).toEqual([]);
    // A stops generating golden-checkout: A prunes it (tagged by A), but not dora, now pushed by B.
    const report = await a.syncDashboards(all().filter((d) => d.uid !== "golden-checkout" && d.uid !== "dora"), folders, { prune: true, ownerTag: "burnrate-target:A" });
    expect(report).toMatchObject({ deleted: 1, failed: 0 });
    expect(deletes(s)).toEqual(["/api/dashboards/uid/golden-checkout"]);
    expect(s.dashboards.has("dora")).toBe(true);
  });

  it("a dashboard pushed before owner tags existed is re-pushed once to get the tag", async () => {
    const s = await start();
    const c = new GrafanaClient({ baseUrl: s.url, token: "test-token" });
    await c.syncDashboards(all(), folders, {});
    const tagged = await c.syncDashboards(all(), folders, { ownerTag: "burnrate-target:A" });
    expect(tagged).toMatchObject({ updated: 5, unchanged: 0 });
    expect(tagged.results[0]?.reason).toBe("not yet tagged as pushed by this target");
    expect(await c.syncDashboards(all(), folders, { ownerTag: "burnrate-target:A" })).toMatchObject({ updated: 0, unchanged: 5 });
  });

  it("an empty desired list does not wipe managed dashboards unless allowEmpty is set", async () => {
    const s = await start();
    const c = new GrafanaClient({ baseUrl: s.url, token: "test-token" });
    await c.syncDashboards(all(), folders, { prune: true });
    s.seed("mine", { folderUid: "ops", tags: ["burnrate"] });

    const guarded = await c.syncDashboards([], folders, { prune: true });
    expect(guarded).toMatchObject({ deleted: 0, failed: 0 });
    expect(guarded.pruneSkipped).toMatch(/not deleting 5 managed dashboard\(s\): the desired list is empty/);
    expect(deletes(s)).toEqual([]);
    expect(s.dashboards.size).toBe(6);
    expect((await c.staleDashboards([])).stale).toEqual([]);

    const wiped = await c.syncDashboards([], folders, { prune: true, allowEmpty: true });
    expect(wiped).toMatchObject({ deleted: 5, failed: 0 });
    expect([...s.dashboards.keys()]).toEqual(["mine"]);
  });

  it("reports a failed deletion and still deletes the others", async () => {
    const s = await start();
    const c = new GrafanaClient({ baseUrl: s.url, token: "test-token" });
    await c.syncDashboards(all(), folders, { prune: true });
    s.intercept = (method, path) => {
      if (method === "DELETE" && path.endsWith("/golden-checkout")) return { status: 500, body: { message: "database is locked" } };
      if (method === "DELETE" && path.endsWith("/slo-svc-checkout")) return { status: 403, body: { message: "Access denied to this dashboard" } };
      return undefined;
    };
    const report = await c.syncDashboards([sloOverviewDashboard(bundles), doraDashboard()], folders, { prune: true });
    expect(report).toMatchObject({ unchanged: 2, deleted: 1, failed: 2 });
    const by = Object.fromEntries(report.results.map((r) => [r.uid, r]));
    expect(by["golden-checkout"]).toMatchObject({ action: "failed", stale: true });
    expect(by["golden-checkout"]?.reason).toMatch(/^delete failed: Grafana dashboard delete golden-checkout failed \(HTTP 500\): database is locked/);
    expect(by["slo-svc-checkout"]?.reason).toMatch(/denied dashboard delete slo-svc-checkout \(HTTP 403\).*dashboards:delete/);
    expect(by["slo-svc-payments"]).toMatchObject({ action: "deleted", stale: true });
    expect(s.dashboards.has("golden-checkout")).toBe(true);
    expect(s.dashboards.has("slo-svc-payments")).toBe(false);
  });

  it("a failed search deletes nothing and is reported", async () => {
    const s = await start();
    const c = new GrafanaClient({ baseUrl: s.url, token: "test-token" });
    await c.syncDashboards(all(), folders, { prune: true });
    s.intercept = (method, path) => (method === "GET" && path === "/api/search" ? { status: 500, body: { message: "search index unavailable" } } : undefined);
    const report = await c.syncDashboards([doraDashboard()], folders, { prune: true });
    expect(report).toMatchObject({ unchanged: 1, deleted: 0, failed: 0 });
    expect(report.pruneError).toMatch(/nothing deleted: Grafana dashboard search failed \(HTTP 500\)/);
    expect(deletes(s)).toEqual([]);
  });

  it("skips pruning after an authentication failure", async () => {
    const s = await start();
    await new GrafanaClient({ baseUrl: s.url, token: "test-token" }).syncDashboards(all(), folders);
    const c = new GrafanaClient({ baseUrl: s.url, token: "wrong", api: "legacy" });
    const report = await c.syncDashboards([doraDashboard()], folders, { prune: true });
    expect(report).toMatchObject({ failed: 1, deleted: 0 });
    expect(report.pruneSkipped).toMatch(/^not pruning: .*HTTP 401/);
    expect(s.requests.some((r) => r.path === "/api/search")).toBe(false);
  });

  it("pages through more managed dashboards than one search page holds", async () => {
    const s = await start();
    const c = new GrafanaClient({ baseUrl: s.url, token: "test-token" });
    await c.syncDashboards(all(), folders, { prune: true });
    for (let i = 0; i < 12; i++) s.seed(`old-${String(i).padStart(2, "0")}`, { title: `Old ${i}`, folderUid: "burnrate-shop", tags: ["burnrate"] });
    const report = await c.syncDashboards(all(), folders, { prune: true, searchPageSize: 5 });
    expect(report).toMatchObject({ unchanged: 5, deleted: 12, failed: 0 });
    const searches = s.requests.filter((r) => r.path === "/api/search").length;
    expect(searches).toBe(1 + 4); // first sync: one page of the default size; now 17 hits in pages of 5 → pages 1–4
    expect([...s.dashboards.keys()].filter((k) => k.startsWith("old-"))).toEqual([]);
  });

  it("searchDashboards follows pages with the default limit of 1000", async () => {
    const s = await start();
    const c = new GrafanaClient({ baseUrl: s.url, token: "test-token" });
    for (let i = 0; i < 1203; i++) s.seed(`d-${i}`, { folderUid: "burnrate-x", tags: ["burnrate"] });
    s.seed("untagged", { folderUid: "burnrate-x" });
    const seen: string[] = [];
    const inner = new GrafanaClient({
      baseUrl: s.url,
      token: "test-token",
      fetch: (input, init) => {
        seen.push(String(input).split("?")[1] ?? "");
        return fetch(input, init);
      },
    });
    expect(await inner.searchDashboards({ tag: "burnrate" })).toHaveLength(1203);
    expect(seen).toEqual(["type=dash-db&limit=1000&page=1&tag=burnrate", "type=dash-db&limit=1000&page=2&tag=burnrate"]);
    expect(await c.searchDashboards({ tag: "burnrate", pageSize: 99_999 })).toHaveLength(1203); // clamped to 5000
    expect(await c.searchDashboards()).toHaveLength(1204);
  });

  it("contract server: search limits and semantics per the documented API", async () => {
    const s = await start();
    s.seed("b", { title: "Beta", folderUid: "f1", tags: ["burnrate", "slo"] });
    s.seed("a", { title: "alpha", tags: ["burnrate"] });
    s.seed("c", { title: "Gamma", folderUid: "f1", tags: ["slo"] });
    const get = async (qs: string, token = "test-token") => {
      const res = await fetch(`${s.url}/api/search?${qs}`, { headers: token ? { authorization: `Bearer ${token}` } : {} });
      return { status: res.status, body: (await res.json()) as Array<Record<string, unknown>> & { message?: string } };
    };
    expect((await get("type=dash-db", "")).status).toBe(401);
    const over = await get("type=dash-db&limit=5001");
    expect(over.status).toBe(422);
    expect(over.body.message).toMatch(/Limit is above maximum allowed \(5000\)/);
    expect((await get("type=dash-db&limit=5000")).status).toBe(200);
    expect((await get("type=dash-db&limit=abc")).body.map((h) => h.uid)).toEqual(["a", "b", "c"]); // invalid → default 1000, sorted by title
    expect((await get("type=dash-db&tag=burnrate&tag=slo")).body.map((h) => h.uid)).toEqual(["b"]); // every tag must match
    expect((await get("type=dash-db&limit=2&page=2")).body.map((h) => h.uid)).toEqual(["c"]);
    expect((await get("type=dash-db&limit=2&page=3")).body).toEqual([]);
    const hits = (await get("type=dash-db&tag=burnrate")).body;
    expect(hits[0]).not.toHaveProperty("folderUid"); // root
    expect(hits[1]).toMatchObject({ uid: "b", type: "dash-db", folderUid: "f1", folderTitle: "f1", url: "/d/b/beta", tags: ["burnrate", "slo"] });
    expect((await get("type=dash-folder")).body.map((h) => h.uid)).toEqual(["f1"]);

    const del = (uid: string, token = "test-token") => fetch(`${s.url}/api/dashboards/uid/${uid}`, { method: "DELETE", headers: token ? { authorization: `Bearer ${token}` } : {} });
    expect((await del("a", "")).status).toBe(401);
    expect((await del("nope")).status).toBe(404);
    const ok = await del("a");
    expect(ok.status).toBe(200);
    expect(await ok.json()).toMatchObject({ title: "alpha", message: "Dashboard alpha deleted" });
    expect((await del("a")).status).toBe(404);
  });
});

describe("GrafanaClient (dashboard.grafana.app API)", () => {
  it("probes the new API and uses it for create, get and update", async () => {
    const s = await start({ k8sApi: true });
    const c = new GrafanaClient({ baseUrl: s.url, token: "test-token" });
    expect(await c.dashboardApi()).toBe("dashboard.grafana.app");
    await c.ensureFolder("slo", "SLOs");
    const created = await c.pushDashboard(doraDashboard(), { folderUid: "slo", message: "m1" });
    expect(created).toMatchObject({ uid: "dora", version: 1, status: "created", api: "dashboard.grafana.app" });
    const got = await c.getDashboard("dora");
    expect(got).toMatchObject({ folderUid: "slo", version: 1, resourceVersion: "1", api: "dashboard.grafana.app" });
    const updated = await c.pushDashboard(doraDashboard({ datasourceUid: "x" }), { folderUid: "slo", message: "m2" });
    expect(updated).toMatchObject({ version: 2, status: "updated", retried: false });
    expect(s.dashboards.get("dora")?.messages).toEqual(["m1", "m2"]);
    expect(s.requests.some((r) => r.path === "/api/dashboards/db")).toBe(false);
  });

  it("retries once on 409 conflict (stale resourceVersion)", async () => {
    const s = await start({ k8sApi: true });
    const c = new GrafanaClient({ baseUrl: s.url, token: "test-token" });
    await c.pushDashboard(doraDashboard());
    let edits = 0;
    s.beforeWrite = (method) => {
      if (method === "PUT" && edits++ === 0) s.editByHand("dora"); // someone saves between our GET and PUT
    };
    const res = await c.pushDashboard(doraDashboard({ datasourceUid: "y" }));
    expect(res).toMatchObject({ version: 3, retried: true });
    expect(s.requests.filter((r) => r.method === "PUT")).toHaveLength(2);
  });

  it("gives up after one retry when conflicts persist", async () => {
    const s = await start({ k8sApi: true });
    const c = new GrafanaClient({ baseUrl: s.url, token: "test-token" });
    await c.pushDashboard(doraDashboard());
    s.beforeWrite = (method) => {
      if (method === "PUT") s.editByHand("dora");
    };
    await expect(c.pushDashboard(doraDashboard({ datasourceUid: "y" }))).rejects.toThrow(/conflict during dashboard update dora \(HTTP 409\)/);
  });

  it("sync works unchanged on the new API", async () => {
    const s = await start({ k8sApi: true });
    const c = new GrafanaClient({ baseUrl: s.url, token: "test-token" });
    const ds = [doraDashboard(), goldenSignalsDashboard("checkout", { team: "shop" })];
    expect(await c.syncDashboards(ds, { shop: { uid: "shop", title: "Shop" } })).toMatchObject({ created: 2 });
    const writes = s.writes().length;
    expect(await c.syncDashboards(ds, { shop: { uid: "shop", title: "Shop" } })).toMatchObject({ unchanged: 2 });
    expect(s.writes().length).toBe(writes);
  });

  it("prunes through the new API's DELETE, finding dashboards with /api/search", async () => {
    const s = await start({ k8sApi: true });
    const c = new GrafanaClient({ baseUrl: s.url, token: "test-token" });
    const folders = { shop: { uid: "burnrate-shop", title: "Shop" } };
    await c.syncDashboards([doraDashboard(), goldenSignalsDashboard("checkout", { team: "shop" })], folders, { prune: true });
    const report = await c.syncDashboards([doraDashboard()], folders, { prune: true });
    expect(report).toMatchObject({ unchanged: 1, deleted: 1, failed: 0 });
    expect(s.requests.filter((r) => r.method === "DELETE").map((r) => r.path)).toEqual(["/apis/dashboard.grafana.app/v1beta1/namespaces/default/dashboards/golden-checkout"]);
    expect(await c.deleteDashboard("golden-checkout")).toEqual({ uid: "golden-checkout", status: "not_found", api: "dashboard.grafana.app" });
    expect(s.dashboards.has("golden-checkout")).toBe(false);
  });

  it("falls back to legacy when /apis is not served", async () => {
    const s = await start({ k8sApi: false });
    const c = new GrafanaClient({ baseUrl: s.url, token: "test-token" });
    expect(await c.dashboardApi()).toBe("legacy");
    expect(await c.pushDashboard(doraDashboard())).toMatchObject({ api: "legacy", version: 1 });
  });
});
