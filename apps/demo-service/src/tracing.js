// Tiny tracer + OTLP/HTTP JSON exporter (https://opentelemetry.io/docs/specs/otlp/#json-protobuf-encoding).
// traceId/spanId are lowercase hex strings in OTLP/JSON; *UnixNano are decimal strings.
import { randomBytes } from "node:crypto";

export const SPAN_KIND = { INTERNAL: 1, SERVER: 2, CLIENT: 3 };
export const STATUS_CODE = { UNSET: 0, OK: 1, ERROR: 2 };

const ZERO_TRACE = "0".repeat(32);
const ZERO_SPAN = "0".repeat(16);

export function newTraceId() {
  let id;
  do id = randomBytes(16).toString("hex");
  while (id === ZERO_TRACE);
  return id;
}

export function newSpanId() {
  let id;
  do id = randomBytes(8).toString("hex");
  while (id === ZERO_SPAN);
  return id;
}

/**
 * Parse a W3C traceparent header. Returns null when absent or invalid.
 * @param {string | undefined} header
 */
export function parseTraceparent(header) {
  if (!header) return null;
  const m = /^([0-9a-f]{2})-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})$/.exec(header.trim().toLowerCase());
  if (!m || m[1] === "ff" || m[2] === ZERO_TRACE || m[3] === ZERO_SPAN) return null;
  return { traceId: m[2], parentSpanId: m[3] };
}

function nowNanos() {
  // Wall-clock nanoseconds as a BigInt-safe decimal string.
  const ns = BigInt(Math.round(performance.timeOrigin * 1e3)) * 1000n + BigInt(Math.round(performance.now() * 1e6));
  return ns;
}

/** @param {unknown} v */
function anyValue(v) {
  if (typeof v === "boolean") return { boolValue: v };
  if (typeof v === "number") return Number.isInteger(v) ? { intValue: String(v) } : { doubleValue: v };
  return { stringValue: String(v) };
}

/** @param {Record<string, unknown>} attrs */
export function toAttributes(attrs) {
  return Object.entries(attrs)
    .filter(([, v]) => v !== undefined && v !== null)
    .map(([key, v]) => ({ key, value: anyValue(v) }));
}

export class Span {
  /**
   * @param {Tracer} tracer
   * @param {{name: string, service: string, kind?: number, traceId?: string, parentSpanId?: string, attributes?: Record<string, unknown>}} o
   */
  constructor(tracer, o) {
    this.tracer = tracer;
    this.name = o.name;
    this.service = o.service;
    this.kind = o.kind ?? SPAN_KIND.INTERNAL;
    this.traceId = o.traceId ?? newTraceId();
    this.spanId = newSpanId();
    this.parentSpanId = o.parentSpanId;
    this.attributes = { ...(o.attributes ?? {}) };
    this.start = nowNanos();
    this.endTime = undefined;
    this.status = { code: STATUS_CODE.UNSET };
  }
  /** @param {Record<string, unknown>} attrs */
  setAttributes(attrs) {
    Object.assign(this.attributes, attrs);
    return this;
  }
  setError(message) {
    this.status = { code: STATUS_CODE.ERROR, message };
    return this;
  }
  /** @param {string} name @param {Record<string, unknown>} [attributes] */
  child(name, attributes) {
    return new Span(this.tracer, { name, service: this.service, traceId: this.traceId, parentSpanId: this.spanId, attributes });
  }
  end() {
    if (this.endTime !== undefined) return;
    this.endTime = nowNanos();
    this.tracer.onEnd(this);
  }
  toOtlp() {
    /** @type {Record<string, unknown>} */
    const s = {
      traceId: this.traceId,
      spanId: this.spanId,
      name: this.name,
      kind: this.kind,
      startTimeUnixNano: String(this.start),
      endTimeUnixNano: String(this.endTime ?? this.start),
      attributes: toAttributes(this.attributes),
      status: this.status,
    };
    if (this.parentSpanId) s.parentSpanId = this.parentSpanId;
    return s;
  }
}

/** Resolve the traces URL from the standard OTel env vars. */
export function tracesUrlFromEnv(env = process.env) {
  if (env.OTEL_TRACES_EXPORTER === "none") return undefined;
  if (env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT) return env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT;
  if (env.OTEL_EXPORTER_OTLP_ENDPOINT) return env.OTEL_EXPORTER_OTLP_ENDPOINT.replace(/\/+$/, "") + "/v1/traces";
  return undefined;
}

export class Tracer {
  /**
   * @param {{url?: string, flushMs?: number, maxBatch?: number, resource?: Record<string, unknown>,
   *          onExport?: (ok: boolean, n: number) => void, timeoutMs?: number}} o
   */
  constructor(o = {}) {
    this.url = o.url;
    this.flushMs = o.flushMs ?? 2000;
    this.maxBatch = o.maxBatch ?? 512;
    this.maxQueue = 10_000;
    this.timeoutMs = o.timeoutMs ?? 5000;
    this.resource = o.resource ?? {};
    this.onExport = o.onExport ?? (() => {});
    /** @type {Span[]} */
    this.queue = [];
    this.dropped = 0;
    this.timer = this.url ? setInterval(() => void this.flush(), this.flushMs) : undefined;
    this.timer?.unref();
    /** @type {Promise<void>} */
    this.inflight = Promise.resolve();
  }

  /** @param {ConstructorParameters<typeof Span>[1]} o */
  startSpan(o) {
    return new Span(this, o);
  }

  /** @param {Span} span */
  onEnd(span) {
    if (!this.url) return;
    if (this.queue.length >= this.maxQueue) {
      this.dropped += 1;
      return;
    }
    this.queue.push(span);
    if (this.queue.length >= this.maxBatch) void this.flush();
  }

  /** Build one OTLP ExportTraceServiceRequest; one resource per simulated service. @param {Span[]} spans */
  buildRequest(spans) {
    /** @type {Map<string, Span[]>} */
    const byService = new Map();
    for (const s of spans) {
      const list = byService.get(s.service) ?? [];
      list.push(s);
      byService.set(s.service, list);
    }
    return {
      resourceSpans: [...byService.entries()].map(([service, list]) => ({
        resource: { attributes: toAttributes({ ...this.resource, "service.name": service }) },
        scopeSpans: [{ scope: { name: "burnrate-demo-service", version: "0.1.0" }, spans: list.map((s) => s.toOtlp()) }],
      })),
    };
  }

  flush() {
    if (!this.url || this.queue.length === 0) return this.inflight;
    const batch = this.queue.splice(0, this.queue.length);
    const url = this.url;
    const send = async () => {
      try {
        const res = await fetch(url, {
          method: "POST",
          headers: { "content-type": "application/json" },
          body: JSON.stringify(this.buildRequest(batch)),
          signal: AbortSignal.timeout(this.timeoutMs),
        });
        await res.arrayBuffer().catch(() => undefined);
        this.onExport(res.ok, batch.length);
      } catch {
        this.onExport(false, batch.length);
      }
    };
    this.inflight = this.inflight.then(send);
    return this.inflight;
  }

  async shutdown() {
    if (this.timer) clearInterval(this.timer);
    await this.flush();
  }
}
