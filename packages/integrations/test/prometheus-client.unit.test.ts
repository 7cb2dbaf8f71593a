import http from "node:http";
import type { AddressInfo, Socket } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { HttpClient, UpstreamError, metricValue, parseSampleValue } from "../src/http";
import { PrometheusClient, assertQueryRangeStep, minQueryRangeStep } from "../src/prometheus";
import { AlertmanagerClient } from "../src/alertmanager";
import { freePort } from "./helpers/servers";

type Handler = (req: http.IncomingMessage, res: http.ServerResponse, body: string) => void;

async function fakeServer(handler: Handler): Promise<{ url: string; hits: http.IncomingMessage[]; close: () => Promise<void> }> {
  const hits: http.IncomingMessage[] = [];
  const sockets = new Set<Socket>();
  const srv = http.createServer((req, res) => {
    hits.push(req);
    let body = "";
    req.on("data", (c: Buffer) => (body += c.toString()));
    req.on("end", () => handler(req, res, body));
  });
  srv.on("connection", (s) => {
    sockets.add(s);
    s.on("close", () => sockets.delete(s));
  });
  await new Promise<void>((r) => srv.listen(0, "127.0.0.1", () => r()));
  const { port } = srv.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    hits,
    close: () =>
      new Promise<void>((r) => {
        for (const s of sockets) s.destroy();
        srv.close(() => r());
      }),
  };
}

function json(res: http.ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { "content-type": "application/json" });
  res.end(typeof body === "string" ? body : JSON.stringify(body));
}

async function rejection(p: Promise<unknown>): Promise<UpstreamError> {
  try {
    await p;
  } catch (err) {
    expect(err).toBeInstanceOf(UpstreamError);
    return err as UpstreamError;
  }
  throw new Error("expected rejection");
}

describe("HttpClient / PrometheusClient against a fake server", () => {
  let routes: Record<string, Handler>;
  let srv: Awaited<ReturnType<typeof fakeServer>>;
  let other: Awaited<ReturnType<typeof fakeServer>>;

  beforeAll(async () => {
    other = await fakeServer((_req, res) => json(res, 200, { status: "success", data: { resultType: "vector", result: [] } }));
    routes = {};
    srv = await fakeServer((req, res, body) => {
      const path = new URL(req.url ?? "/", "http://x").pathname;
      const h = routes[path];
      if (h) h(req, res, body);
      else json(res, 404, "404 page not found");
    });
  });
  afterAll(async () => {
    await srv.close();
    await other.close();
  });

  it("unwraps a success envelope and sends the query as a form POST", async () => {
    let seen = "";
    routes["/api/v1/query"] = (req, res, body) => {
      seen = `${req.method} ${req.headers["content-type"]} ${body}`;
      json(res, 200, { status: "success", data: { resultType: "vector", result: [{ metric: { a: "b" }, value: [1700000000, "0.5"] }] } });
    };
    const c = new PrometheusClient({ baseUrl: srv.url });
    const r = await c.query('sum(rate(x{a="b"}[5m]))', 1700000000);
    expect(r.data.resultType).toBe("vector");
    expect(seen).toContain("POST application/x-www-form-urlencoded");
    expect(new URLSearchParams(seen.split(" ").pop()).get("query")).toBe('sum(rate(x{a="b"}[5m]))');
    expect(new URLSearchParams(seen.split(" ").pop()).get("time")).toBe("1700000000");
  });

  it("turns an error envelope into a readable UpstreamError", async () => {
    routes["/api/v1/query"] = (_req, res) => json(res, 400, { status: "error", errorType: "bad_data", error: "1:5: parse error: unclosed left parenthesis" });
    const err = await rejection(new PrometheusClient({ baseUrl: srv.url }).query("sum("));
    expect(err.kind).toBe("api_error");
    expect(err.status).toBe(400);
    expect(err.errorType).toBe("bad_data");
    expect(err.message).toBe("Prometheus query failed (HTTP 400, bad_data): 1:5: parse error: unclosed left parenthesis");
  });

  it("rejects a success envelope whose data does not match the schema", async () => {
    routes["/api/v1/status/buildinfo"] = (_req, res) => json(res, 200, { status: "success", data: { version: 3 } });
    const err = await rejection(new PrometheusClient({ baseUrl: srv.url }).buildInfo());
    expect(err.kind).toBe("invalid_response");
    expect(err.message).toMatch(/^unexpected response from Prometheus at .*\/api\/v1\/status\/buildinfo: data\.version/);
  });

  it("rejects an unknown envelope status", async () => {
    routes["/api/v1/alerts"] = (_req, res) => json(res, 200, { status: "weird" });
    const err = await rejection(new PrometheusClient({ baseUrl: srv.url }).alerts());
    expect(err.kind).toBe("invalid_response");
  });

  it("reports invalid JSON", async () => {
    routes["/api/v1/status/runtimeinfo"] = (_req, res) => json(res, 200, "{not json");
    const err = await rejection(new PrometheusClient({ baseUrl: srv.url }).runtimeInfo());
    expect(err.kind).toBe("invalid_json");
    expect(err.message).toMatch(/^invalid JSON from Prometheus at /);
  });

  it("reports HTTP status with a body excerpt for non-JSON error pages", async () => {
    routes["/api/v1/rules"] = (_req, res) => {
      res.writeHead(502, { "content-type": "text/html" });
      res.end(`<html><body>Bad gateway ${"x".repeat(1000)}</body></html>`);
    };
    const err = await rejection(new PrometheusClient({ baseUrl: srv.url }).rules());
    expect(err.kind).toBe("http");
    expect(err.status).toBe(502);
    expect(err.message).toMatch(/^Prometheus rules failed \(HTTP 502\): <html><body>Bad gateway x+…$/);
    expect(err.message.length).toBeLessThan(300);
  });

  it("times out on a server that never answers", async () => {
    routes["/api/v1/query"] = () => {
      /* never respond */
    };
    const c = new PrometheusClient({ baseUrl: srv.url, timeoutMs: 200 });
    const t0 = Date.now();
    const err = await rejection(c.query("up"));
    expect(Date.now() - t0).toBeLessThan(3000);
    expect(err.kind).toBe("timeout");
    expect(err.message).toBe(`Prometheus timed out after 200ms at ${srv.url}/api/v1/query`);
  });

  it("honours a caller abort signal", async () => {
    routes["/api/v1/query"] = () => {};
    const ac = new AbortController();
    setTimeout(() => ac.abort(), 50);
    const err = await rejection(new PrometheusClient({ baseUrl: srv.url, timeoutMs: 5000 }).query("up", undefined, { signal: ac.signal }));
    expect(err.kind).toBe("aborted");
  });

  it("refuses to follow redirects (to another host)", async () => {
    routes["/api/v1/query"] = (_req, res) => {
      res.writeHead(302, { location: `${other.url}/api/v1/query?secret=1` });
      res.end();
    };
    const before = other.hits.length;
    const err = await rejection(new PrometheusClient({ baseUrl: srv.url, token: "s3cr3t" }).query("up"));
    expect(err.kind).toBe("redirect");
    expect(err.status).toBe(302);
    expect(err.message).toBe(`Prometheus at ${srv.url}/api/v1/query answered with a redirect (HTTP 302) to ${other.url}/api/v1/query; redirects are not followed`);
    expect(other.hits.length).toBe(before);
  });

  it("reports connection refused with a stable message", async () => {
    const port = await freePort(19300, 19309);
    const err = await rejection(new PrometheusClient({ baseUrl: `http://127.0.0.1:${port}` }).query("up"));
    expect(err.kind).toBe("unreachable");
    expect(err.message).toBe(`Prometheus unreachable at http://127.0.0.1:${port}/api/v1/query: connection refused`);
  });

  it("sends bearer token and extra headers but never puts them in errors", async () => {
    let auth = "";
    let extra = "";
    routes["/api/v1/status/buildinfo"] = (req, res) => {
      auth = String(req.headers.authorization);
      extra = String(req.headers["x-scope-orgid"]);
      json(res, 500, "boom");
    };
    const c = new PrometheusClient({ baseUrl: srv.url, token: "tok-123", headers: { "X-Scope-OrgID": "team-a" } });
    const err = await rejection(c.buildInfo());
    expect(auth).toBe("Bearer tok-123");
    expect(extra).toBe("team-a");
    const dump = `${err.message} ${JSON.stringify(err)} ${err.url} ${String(c.http)} ${JSON.stringify(c)}`;
    expect(dump).not.toContain("tok-123");
  });

  it("moves credentials from the base URL into basic auth and out of messages", async () => {
    let auth = "";
    routes["/-/ready"] = (req, res) => {
      auth = String(req.headers.authorization);
      res.writeHead(503);
      res.end("Service Unavailable");
    };
    const u = new URL(srv.url);
    const c = new AlertmanagerClient({ baseUrl: `http://admin:pa%40ss@${u.host}/` });
    expect(await c.ready()).toBe(false);
    expect(auth).toBe(`Basic ${Buffer.from("admin:pa@ss").toString("base64")}`);
    expect(c.baseUrl).toBe(srv.url);
  });

  it("supports a base path prefix", async () => {
    routes["/prom/api/v1/status/buildinfo"] = (_req, res) =>
      json(res, 200, { status: "success", data: { version: "2.42.0", revision: "r", branch: "b", buildUser: "u", buildDate: "d", goVersion: "go" } });
    const c = new PrometheusClient({ baseUrl: `${srv.url}/prom/` });
    expect((await c.buildInfo()).version).toBe("2.42.0");
  });

  it("maps reload 403 to a lifecycle hint and 500 to the body", async () => {
    routes["/-/reload"] = (_req, res) => {
      res.writeHead(403);
      res.end("Lifecycle API is not enabled.");
    };
    const c = new PrometheusClient({ baseUrl: srv.url });
    expect((await rejection(c.reload())).message).toMatch(/HTTP 403.*Lifecycle API is not enabled.*--web.enable-lifecycle/);
    routes["/-/reload"] = (_req, res) => {
      res.writeHead(500);
      res.end("failed to reload config: one or more errors occurred");
    };
    const e = await rejection(c.reload());
    expect(e.status).toBe(500);
    expect(e.message).toBe("Prometheus reload failed (HTTP 500): failed to reload config: one or more errors occurred");
  });

  it("falls back to /metrics for the reload flag", async () => {
    routes["/api/v1/status/runtimeinfo"] = (_req, res) => json(res, 404, "404 page not found");
    routes["/metrics"] = (_req, res) => {
      res.writeHead(200, { "content-type": "text/plain" });
      res.end("# HELP x\nprometheus_config_last_reload_successful 0\nprometheus_config_last_reload_success_timestamp_seconds 1.7e+09\n");
    };
    const r = await new PrometheusClient({ baseUrl: srv.url }).configReloadSuccessful();
    expect(r).toEqual({ successful: false, lastSuccess: new Date(1.7e12), source: "metrics" });
  });

  it("limits the response body size", async () => {
    routes["/big"] = (_req, res) => {
      res.writeHead(200);
      res.end("x".repeat(10_000));
    };
    const c = new HttpClient({ service: "Prometheus", baseUrl: srv.url, maxBodyBytes: 1000 });
    const err = await rejection(c.text({ path: "/big" }));
    expect(err.message).toMatch(/exceeds 1000 bytes/);
  });
});

describe("query_range guard", () => {
  it("accepts step >= range/11000 and rejects smaller steps", () => {
    const start = 0;
    const end = 30 * 86400;
    expect(() => assertQueryRangeStep(start, end, 236)).not.toThrow();
    expect(() => assertQueryRangeStep(start, end, 60)).toThrow(/use step >= 236s/);
    expect(() => assertQueryRangeStep(start, end, 0)).toThrow(RangeError);
    expect(() => assertQueryRangeStep(end, start, 60)).toThrow(/before start/);
    expect(minQueryRangeStep(new Date(0), new Date(end * 1000))).toBe(236);
    expect(() => assertQueryRangeStep(0, 11000, 1)).not.toThrow();
    expect(() => assertQueryRangeStep(0, 11001, 1)).toThrow();
  });

  it("does not call Prometheus when the guard fails", async () => {
    let called = false;
    const c = new PrometheusClient({
      baseUrl: "http://127.0.0.1:1",
      fetch: (async () => {
        called = true;
        return new Response("{}");
      }) as typeof fetch,
    });
    await expect(c.queryRange("up", 0, 86400 * 30, 15)).rejects.toThrow(RangeError);
    expect(called).toBe(false);
  });
});

describe("helpers", () => {
  it("parses sample values and metrics", () => {
    expect(parseSampleValue("+Inf")).toBe(Infinity);
    expect(parseSampleValue("-Inf")).toBe(-Infinity);
    expect(parseSampleValue("NaN")).toBeNaN();
    expect(parseSampleValue("0.25")).toBe(0.25);
    const text = 'foo_total{a="b"} 3\nalertmanager_config_hash 1.17967496227600e+14\nfoo 2\n';
    expect(metricValue(text, "foo")).toBe(2);
    expect(metricValue(text, "foo_total")).toBe(3);
    expect(metricValue(text, "alertmanager_config_hash")).toBe(117967496227600);
    expect(metricValue(text, "missing")).toBeUndefined();
  });
});
