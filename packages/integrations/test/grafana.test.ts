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

describe("GrafanaClient.syncDashboards", () => {
  const all = () => [
    sloOverviewDashboard(bundles),
    serviceSloDashboard("checkout", bundles),
    serviceSloDashboard("payments", bundles),
    goldenSignalsDashboard("checkout", { team: "shop" }),
    doraDashboard(),
  ];
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

  it("falls back to legacy when /apis is not served", async () => {
    const s = await start({ k8sApi: false });
    const c = new GrafanaClient({ baseUrl: s.url, token: "test-token" });
    expect(await c.dashboardApi()).toBe("legacy");
    expect(await c.pushDashboard(doraDashboard())).toMatchObject({ api: "legacy", version: 1 });
  });
});
