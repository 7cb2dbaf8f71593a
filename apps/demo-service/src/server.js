// Burnrate demo service: one process that simulates several HTTP services.
//   GET|POST /svc/<service>[/...]   simulated request (latency + errors per service profile and faults)
//   GET  /metrics                   Prometheus text exposition
//   GET  /healthz                   liveness
//   GET  /                          JSON description
//   POST /admin/fault?error_rate=0.5&latency_ms=800&seconds=300[&service=checkout]
//   GET  /admin/fault               current faults
//   DELETE /admin/fault[?service=x] clear faults
import http from "node:http";
import { Counter, Gauge, Histogram, Registry, CONTENT_TYPE } from "./metrics.js";
import { Tracer, SPAN_KIND, parseTraceparent, tracesUrlFromEnv } from "./tracing.js";

export const ALL_SERVICES = [
  "checkout", "payments", "search", "catalog", "auth", "inventory",
  "notifications", "shipping", "recommendations", "profile", "gateway", "reporting",
];
export const DEFAULT_SERVICES = ["checkout", "payments", "search", "catalog", "auth", "gateway"];

/** Baseline behaviour of each simulated service: median latency (ms) and background error ratio. */
const PROFILES = {
  checkout: { medianMs: 120, errorRate: 0.002 },
  payments: { medianMs: 180, errorRate: 0.001 },
  search: { medianMs: 60, errorRate: 0.003 },
  catalog: { medianMs: 40, errorRate: 0.0005 },
  auth: { medianMs: 25, errorRate: 0.0002 },
  inventory: { medianMs: 70, errorRate: 0.001 },
  notifications: { medianMs: 90, errorRate: 0.004 },
  shipping: { medianMs: 150, errorRate: 0.002 },
  recommendations: { medianMs: 220, errorRate: 0.005 },
  profile: { medianMs: 35, errorRate: 0.0005 },
  gateway: { medianMs: 30, errorRate: 0.001 },
  reporting: { medianMs: 400, errorRate: 0.003 },
};
const DEFAULT_PROFILE = { medianMs: 80, errorRate: 0.001 };

const METHOD_MIX = ["GET", "GET", "GET", "GET", "GET", "GET", "POST", "POST", "PUT", "DELETE"];

/** @param {string | undefined} v @param {number} d */
function num(v, d) {
  if (v === undefined || v === "") return d;
  const n = Number(v);
  return Number.isFinite(n) ? n : d;
}

/** Config from environment variables. */
export function configFromEnv(env = process.env) {
  const services = (env.SERVICE ?? env.SERVICES ?? "")
    .split(",")
    .map((s) => s.trim())
    .filter(Boolean);
  return {
    host: env.HOST ?? "0.0.0.0",
    port: num(env.PORT, 8080),
    services: services.length ? services : DEFAULT_SERVICES,
    loadRps: num(env.LOAD_RPS, 5),
    latencyScale: num(env.LATENCY_SCALE, 1),
    tracesUrl: tracesUrlFromEnv(env),
    otlpFlushMs: num(env.OTLP_FLUSH_MS, 2000),
    deploymentEnvironment: env.DEPLOYMENT_ENVIRONMENT ?? "demo",
    logRequests: env.LOG_REQUESTS !== "false",
  };
}

/**
 * Start the demo service.
 * @param {Partial<ReturnType<typeof configFromEnv>> & {log?: (line: string) => void, random?: () => number}} [opts]
 */
export async function startDemoService(opts = {}) {
  const cfg = { ...configFromEnv({}), ...opts };
  const log = opts.log ?? ((line) => process.stdout.write(line + "\n"));
  const random = opts.random ?? Math.random;
  const services = cfg.services;

  const registry = new Registry();
  const requests = registry.register(
    new Counter("http_requests_total", "HTTP requests handled by the simulated demo services.", ["service", "code", "method"]),
  );
  const duration = registry.register(
    new Histogram("http_request_duration_seconds", "Latency of HTTP requests handled by the simulated demo services.", ["service"]),
  );
  const faultErrorRate = registry.register(
    new Gauge("demo_fault_error_rate", "Injected error ratio currently active per service (0 when none).", ["service"]),
  );
  const faultLatency = registry.register(
    new Gauge("demo_fault_latency_seconds", "Injected extra latency currently active per service.", ["service"]),
  );
  const spansExported = registry.register(
    new Counter("demo_otlp_spans_exported_total", "Spans sent to the OTLP endpoint, by result.", ["result"]),
  );
  const up = registry.register(new Gauge("demo_service_info", "Constant 1 with the simulated services as labels.", ["services"]));
  up.set({ services: services.join(",") }, 1);
  spansExported.init({ result: "success" });
  spansExported.init({ result: "failure" });
  for (const s of services) {
    // Pre-create the series SLO queries read so ratios are defined before the first error.
    requests.init({ service: s, code: "200", method: "GET" });
    requests.init({ service: s, code: "500", method: "GET" });
    duration.init({ service: s });
    faultErrorRate.set({ service: s }, 0);
    faultLatency.set({ service: s }, 0);
  }

  const tracer = new Tracer({
    url: cfg.tracesUrl,
    flushMs: cfg.otlpFlushMs,
    resource: { "deployment.environment": cfg.deploymentEnvironment, "service.namespace": "burnrate-demo" },
    onExport: (ok, n) => spansExported.inc({ result: ok ? "success" : "failure" }, n),
  });

  /** @type {Map<string, {errorRate: number, latencyMs: number, until: number}>} service -> fault */
  const faults = new Map();
  const activeFault = (service) => {
    const f = faults.get(service);
    if (!f) return undefined;
    if (Date.now() >= f.until) {
      faults.delete(service);
      faultErrorRate.set({ service }, 0);
      faultLatency.set({ service }, 0);
      return undefined;
    }
    return f;
  };

  const sleep = (ms) => new Promise((r) => setTimeout(r, Math.max(0, ms)));
  // Log-normal latency around the profile median (sigma 0.5), scaled for tests.
  const sampleLatencyMs = (median) => {
    const u1 = Math.max(random(), 1e-12);
    const u2 = random();
    const z = Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * u2);
    return median * Math.exp(0.5 * z);
  };

  const emit = (record) => {
    try {
      log(JSON.stringify({ ts: new Date().toISOString(), ...record }));
    } catch {
      /* ignore logging failures */
    }
  };

  const json = (res, status, body) => {
    const text = JSON.stringify(body);
    res.writeHead(status, { "content-type": "application/json", "content-length": Buffer.byteLength(text) });
    res.end(text);
  };

  /** A simulated request to one service. */
  const handleService = async (req, res, service, path) => {
    const started = performance.now();
    const method = (req.method ?? "GET").toUpperCase();
    const parent = parseTraceparent(/** @type {string|undefined} */ (req.headers["traceparent"]));
    const span = tracer.startSpan({
      name: `${method} /svc/${service}`,
      service,
      kind: SPAN_KIND.SERVER,
      traceId: parent?.traceId,
      parentSpanId: parent?.parentSpanId,
      attributes: { "http.request.method": method, "url.path": path, "http.route": `/svc/${service}`, "server.port": cfg.port },
    });
    const profile = PROFILES[service] ?? DEFAULT_PROFILE;
    const fault = activeFault(service);

    const work = span.child(`${service}.work`, { "db.system": "postgresql", "db.operation.name": method === "GET" ? "SELECT" : "UPDATE" });
    await sleep(sampleLatencyMs(profile.medianMs) * cfg.latencyScale);
    work.end();
    if (fault && fault.latencyMs > 0) {
      const delay = span.child(`${service}.injected_latency`, { "demo.fault.latency_ms": fault.latencyMs });
      await sleep(fault.latencyMs);
      delay.end();
    }

    const errorRate = fault ? Math.max(fault.errorRate, profile.errorRate) : profile.errorRate;
    let code = 200;
    const r = random();
    if (r < errorRate) code = random() < 0.8 ? 500 : 503;
    else if (r < errorRate + 0.01) code = random() < 0.5 ? 404 : 429; // client errors: not SLO errors
    else if (method === "POST") code = 201;

    const seconds = (performance.now() - started) / 1000;
    requests.inc({ service, code: String(code), method });
    duration.observe({ service }, seconds);
    span.setAttributes({ "http.response.status_code": code });
    if (code >= 500) span.setError(fault ? "injected fault" : "simulated failure");
    span.end();

    if (cfg.logRequests || code >= 500) {
      emit({
        level: code >= 500 ? "error" : "info",
        msg: code >= 500 ? "request failed" : "request handled",
        service,
        method,
        path,
        status: code,
        duration_ms: Math.round(seconds * 1000 * 10) / 10,
        fault: fault ? true : undefined,
        trace_id: span.traceId,
        span_id: span.spanId,
      });
    }
    res.setHeader("traceparent", `00-${span.traceId}-${span.spanId}-01`);
    json(res, code, code >= 400 ? { error: code >= 500 ? "internal error" : "client error", service, trace_id: span.traceId } : { ok: true, service, trace_id: span.traceId });
  };

  const handleFault = (req, res, url) => {
    const method = (req.method ?? "GET").toUpperCase();
    const target = url.searchParams.get("service");
    if (target && !services.includes(target)) return json(res, 404, { error: `unknown service ${target}`, services });
    const targets = target ? [target] : services;
    if (method === "GET") {
      const out = {};
      for (const s of services) {
        const f = activeFault(s);
        if (f) out[s] = { error_rate: f.errorRate, latency_ms: f.latencyMs, seconds_left: Math.round((f.until - Date.now()) / 1000) };
      }
      return json(res, 200, { faults: out });
    }
    if (method === "DELETE") {
      for (const s of targets) {
        faults.delete(s);
        faultErrorRate.set({ service: s }, 0);
        faultLatency.set({ service: s }, 0);
      }
      emit({ level: "warn", msg: "faults cleared", services: targets });
      return json(res, 200, { cleared: targets });
    }
    if (method !== "POST") return json(res, 405, { error: "use GET, POST or DELETE" });
    const errorRate = num(url.searchParams.get("error_rate") ?? undefined, 0.5);
    const latencyMs = num(url.searchParams.get("latency_ms") ?? undefined, 0);
    const seconds = num(url.searchParams.get("seconds") ?? undefined, 300);
    if (errorRate < 0 || errorRate > 1 || latencyMs < 0 || latencyMs > 60_000 || seconds <= 0 || seconds > 86_400) {
      return json(res, 400, { error: "need 0<=error_rate<=1, 0<=latency_ms<=60000, 0<seconds<=86400" });
    }
    const until = Date.now() + seconds * 1000;
    for (const s of targets) {
      faults.set(s, { errorRate, latencyMs, until });
      faultErrorRate.set({ service: s }, errorRate);
      faultLatency.set({ service: s }, latencyMs / 1000);
    }
    emit({ level: "warn", msg: "fault injected", services: targets, error_rate: errorRate, latency_ms: latencyMs, seconds });
    return json(res, 200, { services: targets, error_rate: errorRate, latency_ms: latencyMs, seconds, until: new Date(until).toISOString() });
  };

  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? "/", "http://localhost");
    const p = url.pathname;
    const route = async () => {
      if (p === "/metrics") {
        // Expire faults so the gauges are current.
        for (const s of services) activeFault(s);
        const body = registry.render();
        res.writeHead(200, { "content-type": CONTENT_TYPE });
        return res.end(body);
      }
      if (p === "/healthz" || p === "/readyz") return json(res, 200, { status: "ok" });
      if (p === "/") return json(res, 200, { name: "burnrate-demo-service", services, endpoints: ["/svc/<service>", "/metrics", "/admin/fault", "/healthz"] });
      if (p === "/admin/fault") return handleFault(req, res, url);
      const m = /^\/svc\/([^/]+)(\/.*)?$/.exec(p);
      if (m) {
        const service = decodeURIComponent(m[1] ?? "");
        if (!services.includes(service)) return json(res, 404, { error: `unknown service ${service}`, services });
        return handleService(req, res, service, p);
      }
      return json(res, 404, { error: "not found" });
    };
    // Drain request bodies so keep-alive works for POST/PUT.
    req.resume();
    route().catch((err) => {
      emit({ level: "error", msg: "handler crashed", error: String(err) });
      if (!res.headersSent) json(res, 500, { error: "internal error" });
      else res.end();
    });
  });

  await new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(cfg.port, cfg.host, () => {
      server.off("error", reject);
      resolve(undefined);
    });
  });
  const addr = /** @type {import("node:net").AddressInfo} */ (server.address());
  const baseHost = cfg.host === "0.0.0.0" || cfg.host === "::" ? "127.0.0.1" : cfg.host;
  const baseUrl = `http://${baseHost.includes(":") ? `[${baseHost}]` : baseHost}:${addr.port}`;

  // Background load: Poisson-ish arrivals at loadRps spread across services and methods.
  const agent = new http.Agent({ keepAlive: true, maxSockets: 64 });
  let loadTimer;
  if (cfg.loadRps > 0) {
    const tickMs = 100;
    let carry = 0;
    loadTimer = setInterval(() => {
      carry += (cfg.loadRps * tickMs) / 1000;
      let n = Math.floor(carry);
      carry -= n;
      while (n-- > 0) {
        const service = services[Math.floor(random() * services.length)];
        const method = METHOD_MIX[Math.floor(random() * METHOD_MIX.length)];
        const r = http.request(`${baseUrl}/svc/${service}/item/${Math.floor(random() * 1000)}`, { method, agent }, (resp) => resp.resume());
        r.on("error", () => {});
        r.setTimeout(30_000, () => r.destroy());
        r.end();
      }
    }, tickMs);
    loadTimer.unref();
  }

  emit({ level: "info", msg: "demo service listening", url: baseUrl, services, load_rps: cfg.loadRps, otlp_traces_url: cfg.tracesUrl ?? null });

  return {
    url: baseUrl,
    port: addr.port,
    services,
    tracer,
    registry,
    async close() {
      if (loadTimer) clearInterval(loadTimer);
      agent.destroy();
      await new Promise((r) => {
        server.close(() => r(undefined));
        server.closeAllConnections?.();
      });
      await tracer.shutdown();
    },
  };
}
