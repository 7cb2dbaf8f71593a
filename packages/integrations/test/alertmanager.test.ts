import { promises as fs } from "node:fs";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { AlertmanagerClient } from "../src/alertmanager";
import { UpstreamError } from "../src/http";
import { AlertmanagerFilePusher } from "../src/push";
import { AMTOOL_BIN, MINIMAL_AM_CONFIG, startAlertmanager, type AlertmanagerHandle } from "./helpers/servers";

const routedConfig = (receiverUrl: string, extra = "") => `route:
  receiver: default
  group_by: [alertname, slo]
  group_wait: 60s
  group_interval: 5m
  repeat_interval: 4h
  routes:
    - matchers: ['severity=page', 'team="payments"']
      receiver: page-payments
${extra}receivers:
  - name: default
  - name: page-payments
    webhook_configs:
      - url: '${receiverUrl}'
        send_resolved: true
inhibit_rules:
  - source_matchers: ['severity="page"', 'slo=~".+"']
    target_matchers: ['severity="ticket"']
    equal: [slo]
`;

describe("Alertmanager client and pusher against a real Alertmanager", () => {
  let am: AlertmanagerHandle;
  let client: AlertmanagerClient;
  let pusher: AlertmanagerFilePusher;

  beforeAll(async () => {
    am = await startAlertmanager({ portRange: [19350, 19369] });
    client = new AlertmanagerClient({ baseUrl: am.url, timeoutMs: 5000 });
    pusher = new AlertmanagerFilePusher({ configPath: am.configFile, alertmanager: client, amtoolPath: AMTOOL_BIN });
  });
  afterAll(async () => {
    await am?.cleanup();
  });

  it("reads status, posts and filters alerts", async () => {
    expect(await client.ready()).toBe(true);
    const st = await client.status();
    expect(st.cluster.status).toBe("disabled");
    expect(st.versionInfo.version).toMatch(/^0\./);
    expect(st.config.original).toContain("receiver: default");

    await client.postAlerts([
      { labels: { alertname: "SLOErrorBudgetBurn", slo: "checkout", severity: "page" }, annotations: { summary: "x" }, startsAt: new Date() },
      { labels: { alertname: "SLOErrorBudgetBurn", slo: "search", severity: "ticket" } },
    ]);
    const pages = await client.alerts({ filter: ['severity="page"'] });
    expect(pages.map((a) => a.labels["slo"])).toEqual(["checkout"]);
    expect(pages[0]!.status.state).toBe("active");
    const all = await client.alerts({ active: true, silenced: false, inhibited: false });
    expect(all.length).toBe(2);
  });

  it("rejects bad alert posts with status and body excerpt", async () => {
    const err = await client.postAlerts([{ labels: {} }]).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UpstreamError);
    expect((err as UpstreamError).status).toBe(400);
    expect((err as UpstreamError).message).toMatch(/^Alertmanager post alerts failed \(HTTP 400\): /);
  });

  it("pushes a valid config that shows up in /api/v2/status, then is a no-op", async () => {
    const cfg = routedConfig("http://127.0.0.1:19399/page/payments");
    const r = await pusher.push(cfg);
    expect(r).toEqual({ ok: true, changed: true, written: [am.configFile], deleted: [] });
    const st = await client.status();
    expect(st.config.original).toContain("page-payments");
    expect(await fs.readFile(am.configFile, "utf8")).toBe(cfg);
    expect((await fs.stat(am.configFile)).mode & 0o777).toBe(0o640);
    expect(await pusher.status(cfg)).toMatchObject({ state: "in_sync" });

    const reload = vi.spyOn(client, "reload");
    expect(await pusher.push(cfg)).toMatchObject({ ok: true, changed: false });
    expect(reload).not.toHaveBeenCalled();
    reload.mockRestore();
  });

  it("rejects an undefined receiver with amtool's message and keeps the old config", async () => {
    const before = await fs.readFile(am.configFile, "utf8");
    const statusBefore = (await client.status()).config.original;
    const bad = routedConfig("http://127.0.0.1:19399/x").replace("receiver: page-payments", "receiver: page-nonexistent");
    const r = await pusher.push(bad);
    expect(r).toMatchObject({ ok: false, stage: "validate", rolledBack: false });
    if (!r.ok) {
      expect(r.error).toMatch(/^amtool check-config failed: /);
      expect(r.error).toContain('undefined receiver "page-nonexistent"');
    }
    expect(await fs.readFile(am.configFile, "utf8")).toBe(before);
    expect((await client.status()).config.original).toBe(statusBefore);
    const leftovers = (await fs.readdir(am.dir)).filter((n) => n.includes(".check.") || n.endsWith(".tmp"));
    expect(leftovers).toEqual([]);
  });

  it("rolls back when Alertmanager rejects the reload (500)", async () => {
    const before = await fs.readFile(am.configFile, "utf8");
    const good = routedConfig("http://127.0.0.1:19399/other");
    const injecting = new AlertmanagerFilePusher({
      configPath: am.configFile,
      alertmanager: client,
      hooks: {
        beforeReload: async () => {
          // amtool validated `good`; swap in a config Alertmanager rejects.
          await fs.writeFile(am.configFile, good.replace("receiver: page-payments", "receiver: page-nonexistent"));
        },
      },
    });
    const r = await injecting.push(good);
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.stage).toBe("reload");
    expect(r.rolledBack).toBe(true);
    expect(r.rollbackError).toBeUndefined();
    expect(r.error).toMatch(/Alertmanager reload failed \(HTTP 500\): failed to reload config: undefined receiver "page-nonexistent"/);
    expect(await fs.readFile(am.configFile, "utf8")).toBe(before);
    expect((await client.configReloadSuccessful()).successful).toBe(true);
    expect(await pusher.status(before)).toMatchObject({ state: "in_sync" });
  });

  it("rolls back when the loaded config is not the pushed one (verify)", async () => {
    const before = await fs.readFile(am.configFile, "utf8");
    const good = routedConfig("http://127.0.0.1:19399/verify");
    const swapping = new AlertmanagerFilePusher({
      configPath: am.configFile,
      alertmanager: client,
      hooks: { beforeReload: () => fs.writeFile(am.configFile, good.replace("group_wait: 60s", "group_wait: 5s")) },
    });
    const r = await swapping.push(good);
    expect(r).toMatchObject({ ok: false, stage: "verify", rolledBack: true });
    if (!r.ok) expect(r.error).toMatch(/loaded config differs from the pushed one: route\.group_wait: want "60s", loaded "5s"/);
    expect(await fs.readFile(am.configFile, "utf8")).toBe(before);
    expect(await pusher.status(before)).toMatchObject({ state: "in_sync" });
  });

  it("keeps receiver secrets in 0600 files beside the config that Alertmanager reads (credentials_file), and prunes unused ones", async () => {
    const got: Array<{ auth: string | undefined; path: string | undefined }> = [];
    const server = createServer((req, res) => {
      got.push({ auth: req.headers.authorization, path: req.url });
      req.resume();
      req.on("end", () => res.end("ok"));
    });
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    const port = (server.address() as AddressInfo).port;
    const secretsDir = join(am.dir, "secrets");
    const credFile = join(secretsDir, "receiver__hook__authorization");
    const cfg = `route:
  receiver: hook
  group_wait: 0s
  group_interval: 1s
receivers:
  - name: hook
    webhook_configs:
      - url: 'http://127.0.0.1:${port}/hook'
        http_config:
          authorization: { type: Bearer, credentials_file: ${credFile} }
`;
    try {
      await fs.mkdir(secretsDir, { recursive: true });
      await fs.writeFile(join(secretsDir, "receiver__gone__url"), "stale");
      const r = await pusher.push(cfg, { secrets: { receiver__hook__authorization: "first-credential-0123456789" } });
      expect(r).toMatchObject({ ok: true, changed: true });
      expect((await fs.stat(credFile)).mode & 0o777).toBe(0o600);
      expect((await fs.stat(secretsDir)).mode & 0o777).toBe(0o700);
      expect(await fs.readdir(secretsDir)).toEqual(["receiver__hook__authorization"]);
      // What Alertmanager shows (and Burnrate stores) is the file name, never the credential.
      expect((await client.status()).config.original).not.toContain("first-credential");
      await client.postAlerts([{ labels: { alertname: "SecretFileProbe", n: "1" } }]);
      await vi.waitFor(() => expect(got.length).toBeGreaterThan(0), { timeout: 15_000, interval: 200 });
      expect(got[0]).toEqual({ auth: "Bearer first-credential-0123456789", path: "/hook" });

      // Only the secret changes: the config is the same, the push still writes it and status saw the drift.
      const rotated = { receiver__hook__authorization: "second-credential-0123456789" };
      expect((await pusher.status(cfg, rotated)).state).toBe("drifted");
      expect(await pusher.push(cfg, { secrets: rotated })).toMatchObject({ ok: true, changed: true });
      expect(await fs.readFile(credFile, "utf8")).toBe("second-credential-0123456789");
      expect((await pusher.status(cfg, rotated)).state).toBe("in_sync");
      expect(await pusher.push(cfg, { secrets: rotated })).toMatchObject({ ok: true, changed: false });
    } finally {
      server.close();
    }
  });

  it("detects drift and unreachable via status()", async () => {
    const current = await fs.readFile(am.configFile, "utf8");
    const other = MINIMAL_AM_CONFIG;
    const s = await pusher.status(other);
    expect(s.state).toBe("drifted");
    expect(s.details.fileDiffers).toBe(true);
    expect(s.details.loadedDifferences.length).toBeGreaterThan(0);

    await am.stop();
    try {
      const u = await pusher.status(current);
      expect(u.state).toBe("unreachable");
      expect(u.details.error).toBe(`Alertmanager unreachable at ${am.url}/metrics: connection refused`);
      const r = await pusher.push(other);
      expect(r).toMatchObject({ ok: false, stage: "reload", rolledBack: true });
      if (!r.ok) expect(r.error).toBe(`Alertmanager unreachable at ${am.url}/-/reload: connection refused`);
      expect(await fs.readFile(am.configFile, "utf8")).toBe(current);
    } finally {
      await am.restart();
    }
    expect((await pusher.status(current)).state).toBe("in_sync");
  });
});
