import { createHmac } from "node:crypto";
import { readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { expect, test } from "@playwright/test";
import { need } from "../support/e2e";
import { auth, call, uniq } from "./support";

/**
 * DORA ingestion through the real routes: GitHub and GitLab deployment webhooks with their
 * signatures (valid, badly signed, malformed: a clear 4xx and nothing stored), the Alertmanager
 * webhook opening and resolving an incident by fingerprint, and /api/metrics exposing what the
 * database holds.
 */
const FIXTURES = resolve(import.meta.dirname, "..", "..", "..", "..", "packages", "integrations", "test", "fixtures", "webhooks");
const fixture = (name: string) => JSON.parse(readFileSync(join(FIXTURES, name), "utf8")) as Record<string, unknown>;

async function deploymentCount(request: Parameters<typeof call>[0]): Promise<number> {
  const r = await call(request, "admin", "GET", "/api/v1/deployments?service=checkout");
  return ((r.body as { items?: unknown[] }).items ?? []).length;
}

test.describe("deployment and incident webhooks", () => {
  test("GitHub deployment_status: signed is recorded once, badly signed or malformed is a 4xx that stores nothing", async ({ request }) => {
    const integ = await call(request, "admin", "POST", "/api/v1/integrations", { name: uniq("gh"), provider: "github" });
    expect(integ.status, integ.text).toBe(201);
    const { url, secret } = integ.body as { url: string; secret: string };
    const payload = fixture("github-deployment_status.json") as { deployment: { id: number; payload: { burnrate: Record<string, unknown> } } };
    payload.deployment.id = Date.now();
    payload.deployment.payload.burnrate.service = "checkout";
    const raw = JSON.stringify(payload);
    const sign = (body: string, key: string) => `sha256=${createHmac("sha256", key).update(body).digest("hex")}`;
    const post = (body: string, headers: Record<string, string>) => request.post(`${auth.baseUrl}${url}`, { data: Buffer.from(body), headers: { "content-type": "application/json", "x-github-event": "deployment_status", ...headers } });

    const before = await deploymentCount(request);
    const badSig = await post(raw, { "x-hub-signature-256": sign(raw, "not-the-secret") });
    expect(badSig.status()).toBe(401);
    expect(((await badSig.json()) as { error: { message: string } }).error.message).toContain("signature");
    const noSig = await post(raw, {});
    expect(noSig.status()).toBe(401);
    const tampered = await post(raw.replace('"success"', '"failure"'), { "x-hub-signature-256": sign(raw, secret) });
    expect(tampered.status()).toBe(401);
    const malformed = "{not json";
    const badJson = await post(malformed, { "x-hub-signature-256": sign(malformed, secret) });
    expect(badJson.status()).toBe(400);
    const noSha = JSON.stringify({ ...payload, deployment: { ...payload.deployment, sha: "zz" } });
    const invalid = await post(noSha, { "x-hub-signature-256": sign(noSha, secret) });
    expect(invalid.status()).toBe(422);
    expect(((await invalid.json()) as { error: { fields?: Record<string, string> } }).error.fields).toBeTruthy();
    expect(await deploymentCount(request)).toBe(before);

    const ok = await post(raw, { "x-hub-signature-256": sign(raw, secret) });
    expect(ok.status(), await ok.text()).toBe(200);
    expect(((await ok.json()) as { status: string }).status).toBe("recorded");
    const again = await post(raw, { "x-hub-signature-256": sign(raw, secret) });
    expect(again.status()).toBe(200);
    expect(await deploymentCount(request)).toBe(before + 1); // redelivery is idempotent
  });

  test("GitLab deployment: the X-Gitlab-Token must match", async ({ request }) => {
    const integ = await call(request, "admin", "POST", "/api/v1/integrations", { name: uniq("gl"), provider: "gitlab" });
    const { url, secret } = integ.body as { url: string; secret: string };
    const payload = fixture("gitlab-deployment.json");
    const before = await deploymentCount(request);
    const wrong = await request.post(`${auth.baseUrl}${url}`, { data: payload, headers: { "x-gitlab-token": "wrong" } });
    expect(wrong.status()).toBe(401);
    expect(await deploymentCount(request)).toBe(before);
    const right = await request.post(`${auth.baseUrl}${url}`, { data: payload, headers: { "x-gitlab-token": secret } });
    expect(right.status(), await right.text()).toBeLessThan(500);
    expect([200, 422]).toContain(right.status()); // 422 when the project maps to no catalogue service, naming the field
  });

  test("Alertmanager: a firing SLO page opens one incident per fingerprint and the resolved notification closes it", async ({ request }) => {
    const fingerprint = `e2e${Date.now().toString(16)}`;
    const firing = fixture("alertmanager-firing.json") as { alerts: { fingerprint: string; startsAt: string; status: string; endsAt: string }[] };
    for (const a of firing.alerts) {
      a.fingerprint = fingerprint;
      a.startsAt = new Date(Date.now() - 60_000).toISOString();
    }
    const am = async (body: unknown, headers: Record<string, string> = { authorization: `Bearer ${need("E2E_WEBHOOK_TOKEN")}`, "content-type": "application/json" }) => {
      const r = await request.post(`${auth.baseUrl}/api/v1/webhooks/alertmanager`, { data: Buffer.from(JSON.stringify(body)), headers });
      return { status: r.status(), text: await r.text() };
    };
    const open1 = await am(firing);
    expect(open1.status, open1.text).toBe(200);
    const open2 = await am(firing);
    expect(open2.status).toBe(200);
    const list = async () => ((await call(request, "admin", "GET", "/api/v1/incidents?service=checkout")).body as { items: { fingerprint: string | null; resolvedAt: string | null; source: string }[] }).items.filter((i) => i.fingerprint === fingerprint);
    expect(await list()).toHaveLength(1);
    expect((await list())[0]).toMatchObject({ source: "alertmanager", resolvedAt: null });
    const resolved = fixture("alertmanager-resolved.json") as { alerts: { fingerprint: string; endsAt: string }[] };
    for (const a of resolved.alerts) {
      a.fingerprint = fingerprint;
      a.endsAt = new Date().toISOString();
    }
    const close = await am(resolved);
    expect(close.status, close.text).toBe(200);
    expect((await list())[0]?.resolvedAt).not.toBeNull();
    const bad = await am({ alerts: "nope" });
    expect(bad.status).toBe(422);
  });

  test("/api/metrics exposes the DORA series derived from the database", async ({ request }) => {
    // Restricted: nothing without the scrape token (or a signed-in caller).
    expect((await request.get(`${auth.baseUrl}/api/metrics`)).status()).toBe(401);
    expect((await request.get(`${auth.baseUrl}/api/metrics`, { headers: { authorization: "Bearer wrong-token-0123456789" } })).status()).toBe(401);
    const r = await request.get(`${auth.baseUrl}/api/metrics`, { headers: { authorization: `Bearer ${need("E2E_METRICS_TOKEN")}` } });
    expect(r.status()).toBe(200);
    expect(r.headers()["content-type"]).toContain("text/plain");
    const text = await r.text();
    const line = text.split("\n").find((l) => l.startsWith("burnrate_deployments_total{") && l.includes('service="checkout"') && l.includes('result="success"') && l.includes('kind="planned"'));
    expect(line, "a checkout success counter").toBeTruthy();
    const exported = Number(line?.split(" ").pop());
    const rows = ((await call(request, "admin", "GET", "/api/v1/deployments?service=checkout")).body as { items: { result: string; kind: string; environment: string }[] }).items;
    const inDb = rows.filter((d) => d.result === "success" && d.kind === "planned" && d.environment === (line?.match(/environment="([^"]+)"/)?.[1] ?? "production")).length;
    // /api/v1/deployments lists the newest 100; the exporter counts all of them.
    if (rows.length < 100) expect(exported).toBe(inDb);
    else expect(exported).toBeGreaterThanOrEqual(inDb);
  });
});
