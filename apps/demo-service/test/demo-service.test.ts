import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { spawn, type ChildProcess } from "node:child_process";
import http from "node:http";
import net from "node:net";
import { fileURLToPath } from "node:url";

// This suite owns loopback ports 19600-19699.
const PORT_MIN = 19600;
const PORT_MAX = 19699;
const MAIN = fileURLToPath(new URL("../src/main.js", import.meta.url));

async function portFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const srv = net.createServer();
    srv.once("error", () => resolve(false));
    srv.listen(port, "127.0.0.1", () => srv.close(() => resolve(true)));
  });
}

const taken = new Set<number>();
async function freePort(): Promise<number> {
  const start = PORT_MIN + Math.floor(Math.random() * (PORT_MAX - PORT_MIN + 1));
  for (let i = 0; i <= PORT_MAX - PORT_MIN; i++) {
    const p = PORT_MIN + ((start - PORT_MIN + i) % (PORT_MAX - PORT_MIN + 1));
    if (!taken.has(p) && (await portFree(p))) {
      taken.add(p);
      return p;
    }
  }
  throw new Error("no free loopback port in 19600-19699");
}

// ---------- Prometheus text exposition parser (strict enough to catch format bugs) ----------
type Sample = { name: string; labels: Record<string, string>; value: number };
type Family = { type?: string; help?: string; samples: Sample[] };

function parseLabels(s: string): Record<string, string> {
  const out: Record<string, string> = {};
  let i = 0;
  while (i < s.length) {
    const m = /^([a-zA-Z_][a-zA-Z0-9_]*)="/.exec(s.slice(i));
    if (!m) throw new Error(`bad label at ${JSON.stringify(s.slice(i))}`);
    i += m[0].length;
    let v = "";
    for (;;) {
      const c = s[i];
      if (c === undefined) throw new Error("unterminated label value");
      if (c === "\\") {
        const n = s[i + 1];
        v += n === "n" ? "\n" : n;
        i += 2;
        continue;
      }
      if (c === '"') break;
      v += c;
      i++;
    }
    i++; // closing quote
    if (m[1]! in out) throw new Error(`duplicate label ${m[1]}`);
    out[m[1]!] = v;
    if (s[i] === ",") i++;
    else if (i < s.length) throw new Error(`expected , at ${JSON.stringify(s.slice(i))}`);
  }
  return out;
}

function parseExposition(text: string): Map<string, Family> {
  const families = new Map<string, Family>();
  const fam = (n: string) => {
    let f = families.get(n);
    if (!f) families.set(n, (f = { samples: [] }));
    return f;
  };
  const familyOf = (name: string) => {
    for (const suffix of ["_bucket", "_sum", "_count"]) {
      const base = name.endsWith(suffix) ? name.slice(0, -suffix.length) : undefined;
      if (base && families.get(base)?.type === "histogram") return base;
    }
    return name;
  };
  if (!text.endsWith("\n")) throw new Error("exposition must end with a newline");
  for (const line of text.split("\n")) {
    if (line === "") continue;
    let m: RegExpExecArray | null;
    if ((m = /^# HELP ([a-zA-Z_:][a-zA-Z0-9_:]*) (.*)$/.exec(line))) {
      fam(m[1]!).help = m[2];
      continue;
    }
    if ((m = /^# TYPE ([a-zA-Z_:][a-zA-Z0-9_:]*) (counter|gauge|histogram|summary|untyped)$/.exec(line))) {
      if (families.get(m[1]!)?.samples.length) throw new Error(`TYPE after samples for ${m[1]}`);
      fam(m[1]!).type = m[2];
      continue;
    }
    if (line.startsWith("#")) throw new Error(`unexpected comment ${line}`);
    m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!m) throw new Error(`bad sample line ${JSON.stringify(line)}`);
    const value = m[3] === "+Inf" ? Infinity : m[3] === "-Inf" ? -Infinity : Number(m[3]);
    if (Number.isNaN(value) && m[3] !== "NaN") throw new Error(`bad value ${m[3]}`);
    const f = families.get(familyOf(m[1]!));
    if (!f?.type) throw new Error(`sample ${m[1]} without TYPE`);
    f.samples.push({ name: m[1]!, labels: parseLabels(m[2] ?? ""), value });
  }
  return families;
}

function sum(fs: Map<string, Family>, name: string, pred: (l: Record<string, string>) => boolean = () => true): number {
  const base = name.replace(/_(bucket|sum|count)$/, "");
  const f = fs.get(name) ?? fs.get(base);
  return (f?.samples ?? []).filter((s) => s.name === name && pred(s.labels)).reduce((a, s) => a + s.value, 0);
}

// ---------- fixtures ----------
type OtlpSpan = { traceId: string; spanId: string; parentSpanId?: string; name: string; kind: number; status?: { code?: number } };
/** OTLP/HTTP JSON export request body: only the fields these tests read. */
type OtlpBody = {
  resourceSpans?: Array<{
    resource: { attributes: Array<{ key: string; value?: { stringValue?: string } }> };
    scopeSpans?: Array<{ spans?: OtlpSpan[] }>;
  }>;
};
/** One JSON log line written by the demo service to stdout. */
type LogLine = { msg?: string; service?: string; status: number; trace_id: string; span_id: string };
const otlpRequests: Array<{ path: string; contentType: string | undefined; body: OtlpBody }> = [];
let otlpServer: http.Server;
let otlpPort: number;
let child: ChildProcess;
let base: string;
const logs: LogLine[] = [];
const rawLog: string[] = [];
const SERVICES = ["checkout", "payments", "search"];

function exportedSpans(): Array<OtlpSpan & { service: string | undefined }> {
  const out: Array<OtlpSpan & { service: string | undefined }> = [];
  for (const r of otlpRequests) {
    for (const rs of r.body.resourceSpans ?? []) {
      const service = rs.resource.attributes.find((a) => a.key === "service.name")?.value?.stringValue;
      for (const ss of rs.scopeSpans ?? []) for (const sp of ss.spans ?? []) out.push({ ...sp, service });
    }
  }
  return out;
}

async function scrape() {
  const res = await fetch(`${base}/metrics`);
  expect(res.status).toBe(200);
  expect(res.headers.get("content-type")).toMatch(/^text\/plain; version=0\.0\.4/);
  return parseExposition(await res.text());
}

async function hit(service: string, n: number, init?: RequestInit) {
  const codes: number[] = [];
  await Promise.all(
    Array.from({ length: n }, async () => {
      const r = await fetch(`${base}/svc/${service}/x`, init);
      await r.arrayBuffer();
      codes.push(r.status);
    }),
  );
  return codes;
}

async function waitFor<T>(fn: () => T | undefined | false, ms = 10_000): Promise<T> {
  const t0 = Date.now();
  for (;;) {
    const v = fn();
    if (v) return v;
    if (Date.now() - t0 > ms) throw new Error("timed out waiting");
    await new Promise((r) => setTimeout(r, 50));
  }
}

beforeAll(async () => {
  otlpPort = await freePort();
  otlpServer = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c) => chunks.push(c));
    req.on("end", () => {
      otlpRequests.push({ path: req.url ?? "", contentType: req.headers["content-type"], body: JSON.parse(Buffer.concat(chunks).toString("utf8") || "{}") });
      res.writeHead(200, { "content-type": "application/json" });
      res.end("{}");
    });
  });
  await new Promise<void>((r) => otlpServer.listen(otlpPort, "127.0.0.1", () => r()));

  const port = await freePort();
  base = `http://127.0.0.1:${port}`;
  child = spawn(process.execPath, [MAIN], {
    env: {
      ...process.env,
      HOST: "127.0.0.1",
      PORT: String(port),
      SERVICE: SERVICES.join(","),
      LOAD_RPS: "40",
      LATENCY_SCALE: "0.05",
      OTLP_FLUSH_MS: "200",
      OTEL_EXPORTER_OTLP_ENDPOINT: `http://127.0.0.1:${otlpPort}`,
    },
    stdio: ["ignore", "pipe", "inherit"],
  });
  let buf = "";
  child.stdout!.setEncoding("utf8");
  child.stdout!.on("data", (d: string) => {
    buf += d;
    let i: number;
    while ((i = buf.indexOf("\n")) >= 0) {
      const line = buf.slice(0, i);
      buf = buf.slice(i + 1);
      rawLog.push(line);
      logs.push(JSON.parse(line)); // every stdout line must be JSON
    }
  });
  await waitFor(() => logs.some((l) => l.msg === "demo service listening"));
});

afterAll(async () => {
  if (child && child.exitCode === null) {
    const exited = new Promise((r) => child.once("exit", r));
    child.kill("SIGTERM");
    await exited;
  }
  await new Promise((r) => otlpServer?.close(() => r(undefined)));
});

describe("demo service", () => {
  it("exposes a parseable exposition with the contract metrics", async () => {
    const fs = await scrape();
    const req = fs.get("http_requests_total")!;
    expect(req.type).toBe("counter");
    expect(req.help).toBeTruthy();
    for (const s of req.samples) {
      expect(Object.keys(s.labels).sort()).toEqual(["code", "method", "service"]);
      expect(s.labels.code).toMatch(/^[1-5]\d\d$/);
    }
    const h = fs.get("http_request_duration_seconds")!;
    expect(h.type).toBe("histogram");
    for (const service of SERVICES) {
      const buckets = h.samples.filter((s) => s.name.endsWith("_bucket") && s.labels.service === service);
      expect(buckets.map((b) => b.labels.le)).toEqual(["0.05", "0.1", "0.25", "0.3", "0.5", "1", "2.5", "5", "+Inf"]);
      for (let i = 1; i < buckets.length; i++) expect(buckets[i]!.value).toBeGreaterThanOrEqual(buckets[i - 1]!.value);
      const count = h.samples.find((s) => s.name.endsWith("_count") && s.labels.service === service)!;
      expect(buckets.at(-1)!.value).toBe(count.value);
      expect(h.samples.some((s) => s.name.endsWith("_sum") && s.labels.service === service)).toBe(true);
      // Error series exists before the first error so SLO ratios are defined.
      expect(req.samples.some((s) => s.labels.service === service && s.labels.code === "500")).toBe(true);
    }
  });

  it("counters move with direct and background traffic", async () => {
    const before = await scrape();
    const c0 = sum(before, "http_requests_total", (l) => l.service === "payments");
    const h0 = sum(before, "http_request_duration_seconds_count", (l) => l.service === "payments");
    await hit("payments", 20);
    const after = await scrape();
    expect(sum(after, "http_requests_total", (l) => l.service === "payments")).toBeGreaterThanOrEqual(c0 + 20);
    expect(sum(after, "http_request_duration_seconds_count", (l) => l.service === "payments")).toBeGreaterThanOrEqual(h0 + 20);
    // Background load alone keeps the total moving.
    const t0 = sum(after, "http_requests_total");
    await new Promise((r) => setTimeout(r, 500));
    expect(sum(await scrape(), "http_requests_total")).toBeGreaterThan(t0);
  });

  it("fault injection raises the 5xx share and adds latency", async () => {
    const share = (fs: Map<string, Family>) => ({
      bad: sum(fs, "http_requests_total", (l) => l.service === "checkout" && (l.code ?? "").startsWith("5")),
      all: sum(fs, "http_requests_total", (l) => l.service === "checkout"),
    });
    await hit("checkout", 30);
    const s0 = share(await scrape());
    const baseline = s0.bad / s0.all;
    expect(baseline).toBeLessThan(0.2);

    const res = await fetch(`${base}/admin/fault?error_rate=0.9&latency_ms=80&seconds=60&service=checkout`, { method: "POST" });
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ services: ["checkout"], error_rate: 0.9, latency_ms: 80 });
    const faultState = (await (await fetch(`${base}/admin/fault`)).json()) as { faults: { checkout: { error_rate: number } } };
    expect(faultState.faults.checkout.error_rate).toBe(0.9);

    const codes = await hit("checkout", 60);
    expect(codes.filter((c) => c >= 500).length).toBeGreaterThan(35);
    const s1 = share(await scrape());
    const windowShare = (s1.bad - s0.bad) / (s1.all - s0.all);
    expect(windowShare).toBeGreaterThan(0.6);
    expect(windowShare).toBeGreaterThan(baseline + 0.4);

    // Other services are untouched by a targeted fault.
    const other = await hit("search", 30);
    expect(other.filter((c) => c >= 500).length).toBeLessThan(10);

    // Injected latency (80ms) pushes every faulted request above the 0.05 bucket.
    const fs = await scrape();
    const fast = sum(fs, "http_request_duration_seconds_bucket", (l) => l.service === "checkout" && l.le === "0.05");
    const total = sum(fs, "http_request_duration_seconds_count", (l) => l.service === "checkout");
    expect(total - fast).toBeGreaterThanOrEqual(50);

    // Bad input is rejected; clearing restores health.
    expect((await fetch(`${base}/admin/fault?error_rate=2`, { method: "POST" })).status).toBe(400);
    expect((await fetch(`${base}/admin/fault?service=nope`, { method: "POST" })).status).toBe(404);
    expect((await fetch(`${base}/admin/fault`, { method: "DELETE" })).status).toBe(200);
    const healed = await hit("checkout", 30);
    expect(healed.filter((c) => c >= 500).length).toBeLessThan(10);
    expect(sum(await scrape(), "demo_fault_error_rate", (l) => l.service === "checkout")).toBe(0);
  });

  it("logs are JSON with trace_id/span_id that match exported OTLP spans", async () => {
    const tp = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01";
    await hit("search", 5, { headers: { traceparent: tp } });
    await hit("payments", 5);

    const requestLogs = () => logs.filter((l) => l.msg === "request handled" || l.msg === "request failed");
    const spanKey = (t: string, s: string) => `${t}/${s}`;
    // Wait until every request log seen so far has its server span exported.
    const sample = requestLogs().slice(-40);
    expect(sample.length).toBeGreaterThanOrEqual(10);
    await waitFor(() => {
      const have = new Set(exportedSpans().map((s) => spanKey(s.traceId, s.spanId)));
      return sample.every((l) => have.has(spanKey(l.trace_id, l.span_id)));
    });

    // OTLP/HTTP JSON wire format.
    expect(otlpRequests.length).toBeGreaterThan(0);
    for (const r of otlpRequests) {
      expect(r.path).toBe("/v1/traces");
      expect(r.contentType).toBe("application/json");
    }
    const spans = exportedSpans();
    for (const s of spans) {
      expect(s.traceId).toMatch(/^[0-9a-f]{32}$/);
      expect(s.spanId).toMatch(/^[0-9a-f]{16}$/);
    }
    const byId = new Map(spans.map((s) => [s.spanId, s]));
    for (const l of sample) {
      // The raw line carries "trace_id":"<hex>" exactly as Grafana's Loki derived field regex expects.
      const sp = byId.get(l.span_id)!;
      expect(sp.traceId).toBe(l.trace_id);
      expect(sp.kind).toBe(2); // SERVER
      expect(sp.service).toBe(l.service);
      if (l.status >= 500) expect(sp.status?.code).toBe(2);
    }
    const derivedField = /"trace_id":"(\w+)"/;
    for (const line of rawLog.filter((x) => x.includes('"request handled"')).slice(-20)) {
      expect(derivedField.exec(line)?.[1]).toMatch(/^[0-9a-f]{32}$/);
    }
    // Child spans share the trace and point at the server span.
    const child = spans.find((s) => s.parentSpanId && byId.get(s.parentSpanId)?.kind === 2)!;
    expect(child).toBeDefined();
    expect(child.traceId).toBe(byId.get(child.parentSpanId!)!.traceId);

    // Incoming W3C traceparent is continued.
    const continued = requestLogs().filter((l) => l.trace_id === "0af7651916cd43dd8448eb211c80319c");
    expect(continued.length).toBe(5);
    await waitFor(() => continued.every((l) => byId.has(l.span_id) || exportedSpans().some((s) => s.spanId === l.span_id)));
    const srv = exportedSpans().find((s) => s.spanId === continued[0]!.span_id)!;
    expect(srv.parentSpanId).toBe("b7ad6b7169203331");

    // Export results are counted.
    expect(sum(await scrape(), "demo_otlp_spans_exported_total", (l) => l.result === "success")).toBeGreaterThan(0);
  });

  it("health and unknown routes", async () => {
    expect((await fetch(`${base}/healthz`)).status).toBe(200);
    expect((await fetch(`${base}/svc/not-a-service`)).status).toBe(404);
    expect((await fetch(`${base}/nope`)).status).toBe(404);
  });
});
