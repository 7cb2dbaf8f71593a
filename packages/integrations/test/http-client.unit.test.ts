import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { HttpClient, UpstreamError, httpClientOptions } from "../src/http";
import { listen, type RecordedRequest } from "./contract-servers/http-util";

/** The options Grafana and Mimir build on: raw bodies, unauthenticated requests, strict base URLs. */
describe("HttpClient options for token-authenticated services", () => {
  const seen: RecordedRequest[] = [];
  let srv: Awaited<ReturnType<typeof listen>>;

  beforeAll(async () => {
    srv = await listen((req, res, body) => {
      seen.push({ method: req.method ?? "GET", path: req.url ?? "/", headers: req.headers, body });
      if (req.url === "/moved") {
        res.writeHead(301, { location: "https://elsewhere.example/api" });
        res.end();
        return;
      }
      res.writeHead(202, { "content-type": "text/plain" });
      res.end("accepted");
    });
  });
  afterAll(async () => {
    await srv.close();
  });

  it("sends raw string and byte bodies with their content type and returns the raw text", async () => {
    const c = new HttpClient({ service: "Mimir ruler", baseUrl: srv.url, token: "gw" });
    const res = await c.raw({ method: "POST", path: "/yaml", body: { data: "name: g\nrules: []\n", contentType: "application/yaml" } });
    expect(res).toMatchObject({ status: 202, text: "accepted", url: `${srv.url}/yaml` });
    expect(seen.at(-1)).toMatchObject({ method: "POST", body: "name: g\nrules: []\n" });
    expect(seen.at(-1)?.headers["content-type"]).toBe("application/yaml");
    expect(seen.at(-1)?.headers.authorization).toBe("Bearer gw");

    await c.raw({ method: "PUT", path: "/bytes", body: { data: new TextEncoder().encode("héllo"), contentType: "application/octet-stream" } });
    expect(seen.at(-1)?.body).toBe("héllo");
    expect(seen.at(-1)?.headers["content-length"]).toBe("6");
  });

  it("leaves the credentials off requests with auth: false", async () => {
    const c = new HttpClient({ service: "Grafana", baseUrl: srv.url, token: "secret" });
    await c.raw({ path: "/api/health", auth: false });
    expect(seen.at(-1)?.headers.authorization).toBeUndefined();
    await c.raw({ path: "/api/search" });
    expect(seen.at(-1)?.headers.authorization).toBe("Bearer secret");
  });

  it("rejects credentials in the base URL when asked to", () => {
    expect(() => new HttpClient({ service: "Grafana", baseUrl: "http://admin:pw@grafana:3000", urlCredentials: "reject" })).toThrow(
      new TypeError("Grafana baseUrl must not contain credentials; pass the token separately"),
    );
    expect(new HttpClient({ service: "Prometheus", baseUrl: "http://admin:pw@prometheus:9090" }).baseUrl).toBe("http://prometheus:9090");
  });

  it("describes a refused redirect with its location, or with a hint to check the base URL", async () => {
    const withLocation = await new HttpClient({ service: "Prometheus", baseUrl: srv.url }).raw({ path: "/moved" }).catch((e: unknown) => e);
    expect(withLocation).toBeInstanceOf(UpstreamError);
    expect((withLocation as UpstreamError).message).toBe(`Prometheus at ${srv.url}/moved answered with a redirect (HTTP 301) to https://elsewhere.example/api; redirects are not followed`);
    const withHint = await new HttpClient({ service: "Grafana", baseUrl: srv.url, redirectMessage: "check-base-url" }).raw({ path: "/moved" }).catch((e: unknown) => e);
    expect(withHint).toMatchObject({ kind: "redirect", status: 301 });
    expect((withHint as UpstreamError).message).toBe(`Grafana at ${srv.url}/moved answered with a redirect (HTTP 301); redirects are not followed — check the base URL`);
  });

  it("httpClientOptions copies only the connection settings that are set", () => {
    const fetchImpl = globalThis.fetch;
    const opts = { baseUrl: "http://x", token: "t", timeoutMs: undefined, fetch: fetchImpl, tenant: "team-a", reloadTimeoutMs: 5 };
    expect(httpClientOptions("Mimir ruler", opts, { urlCredentials: "reject" })).toEqual({
      service: "Mimir ruler",
      baseUrl: "http://x",
      token: "t",
      fetch: fetchImpl,
      urlCredentials: "reject",
    });
  });
});
