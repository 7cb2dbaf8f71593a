import type { z } from "zod";
import { HttpClient, UpstreamError, bodyExcerpt, httpClientOptions, metricValue, type ConnectionOptions, type RawResponse, type RequestOptions } from "../http/index";
import {
  alertsDataSchema,
  buildInfoSchema,
  envelopeSchema,
  matrixDataSchema,
  queryDataSchema,
  rulesDataSchema,
  runtimeInfoSchema,
  type BuildInfo,
  type MatrixData,
  type PrometheusAlert,
  type QueryData,
  type RuleGroup,
  type RuntimeInfo,
} from "./schemas";

export interface PrometheusClientOptions extends ConnectionOptions {
  /** Timeout for POST /-/reload (can take seconds with many rules). Default max(timeoutMs, 30 000). */
  reloadTimeoutMs?: number;
}

/** Unix seconds (number) or Date. */
export type PromTime = Date | number;

/** Prometheus rejects query_range results with more than this many points per series. */
export const MAX_QUERY_RANGE_POINTS = 11_000;

export interface QueryResult<D> {
  data: D;
  warnings: string[];
}

export interface ReloadStatus {
  successful: boolean;
  /** Time of the last successful config load, if known. */
  lastSuccess: Date | null;
  source: "runtimeinfo" | "metrics";
}

function toSeconds(t: PromTime): number {
  return t instanceof Date ? t.getTime() / 1000 : t;
}

function formatTime(t: PromTime): string {
  const s = toSeconds(t);
  if (!Number.isFinite(s)) throw new RangeError(`invalid time: ${String(t)}`);
  return String(s);
}

/**
 * Throws RangeError when Prometheus would reject the range with
 * "exceeded maximum resolution of 11,000 points per timeseries" (range/step > 11000).
 */
export function assertQueryRangeStep(start: PromTime, end: PromTime, stepSeconds: number): void {
  const s = toSeconds(start);
  const e = toSeconds(end);
  if (!Number.isFinite(stepSeconds) || stepSeconds <= 0) throw new RangeError(`query_range step must be > 0 seconds, got ${stepSeconds}`);
  if (!(e >= s)) throw new RangeError("query_range end must not be before start");
  const range = e - s;
  if (range / stepSeconds > MAX_QUERY_RANGE_POINTS) {
    const min = Math.ceil(range / MAX_QUERY_RANGE_POINTS);
    throw new RangeError(
      `query_range step ${stepSeconds}s is too small for a ${range}s range (more than ${MAX_QUERY_RANGE_POINTS} points); use step >= ${min}s`,
    );
  }
}

/** Smallest step (seconds, integer) that keeps range/step within the Prometheus point limit. */
export function minQueryRangeStep(start: PromTime, end: PromTime): number {
  return Math.max(1, Math.ceil((toSeconds(end) - toSeconds(start)) / MAX_QUERY_RANGE_POINTS));
}

export class PrometheusClient {
  readonly http: HttpClient;
  readonly #reloadTimeoutMs: number;

  constructor(opts: PrometheusClientOptions) {
    this.http = new HttpClient(httpClientOptions("Prometheus", opts));
    this.#reloadTimeoutMs = opts.reloadTimeoutMs ?? Math.max(this.http.timeoutMs, 30_000);
  }

  get baseUrl(): string {
    return this.http.baseUrl;
  }

  /** Calls an `/api/v1` endpoint and unwraps the `{status,data}` envelope. */
  async api<S extends z.ZodType>(req: RequestOptions, data: S, what: string): Promise<QueryResult<z.output<S>>> {
    const res = await this.http.raw(req);
    return this.unwrap(res, data, what);
  }

  private unwrap<S extends z.ZodType>(res: RawResponse, data: S, what: string): QueryResult<z.output<S>> {
    let json: unknown;
    try {
      json = this.http.parseJson(res);
    } catch (err) {
      // Non-JSON error pages (proxies, 404 from a wrong base path) read better as HTTP errors.
      if (res.status < 200 || res.status >= 300) throw this.http.httpError(res, what);
      throw err;
    }
    const env = this.http.validate(res, json, envelopeSchema(data)) as
      | { status: "success"; data: z.output<S>; warnings?: string[] }
      | { status: "error"; errorType: string; error: string };
    if (env.status === "error") {
      throw new UpstreamError({
        service: "Prometheus",
        url: res.url,
        kind: "api_error",
        status: res.status,
        errorType: env.errorType,
        bodyExcerpt: bodyExcerpt(env.error),
        message: `Prometheus ${what} failed (HTTP ${res.status}, ${env.errorType}): ${env.error}`,
      });
    }
    if (res.status < 200 || res.status >= 300) throw this.http.httpError(res, what);
    return { data: env.data, warnings: env.warnings ?? [] };
  }

  /** Instant query (POST, form-encoded so long expressions work). */
  async query(expr: string, time?: PromTime, opts: { timeout?: string; signal?: AbortSignal } = {}): Promise<QueryResult<QueryData>> {
    const form: Record<string, string> = { query: expr };
    if (time !== undefined) form["time"] = formatTime(time);
    if (opts.timeout) form["timeout"] = opts.timeout;
    return this.api({ method: "POST", path: "/api/v1/query", form, ...(opts.signal ? { signal: opts.signal } : {}) }, queryDataSchema, "query");
  }

  /** Range query; `step` in seconds. Throws RangeError before calling Prometheus if step < range/11000. */
  async queryRange(
    expr: string,
    start: PromTime,
    end: PromTime,
    step: number,
    opts: { timeout?: string; signal?: AbortSignal } = {},
  ): Promise<QueryResult<MatrixData>> {
    assertQueryRangeStep(start, end, step);
    const form: Record<string, string> = { query: expr, start: formatTime(start), end: formatTime(end), step: String(step) };
    if (opts.timeout) form["timeout"] = opts.timeout;
    return this.api(
      { method: "POST", path: "/api/v1/query_range", form, ...(opts.signal ? { signal: opts.signal } : {}) },
      matrixDataSchema,
      "query_range",
    );
  }

  async rules(opts: { type?: "alert" | "record" } = {}): Promise<RuleGroup[]> {
    const r = await this.api({ path: "/api/v1/rules", query: { type: opts.type } }, rulesDataSchema, "rules");
    return r.data.groups;
  }

  async alerts(): Promise<PrometheusAlert[]> {
    const r = await this.api({ path: "/api/v1/alerts" }, alertsDataSchema, "alerts");
    return r.data.alerts;
  }

  async buildInfo(): Promise<BuildInfo> {
    return (await this.api({ path: "/api/v1/status/buildinfo" }, buildInfoSchema, "buildinfo")).data;
  }

  async runtimeInfo(): Promise<RuntimeInfo> {
    return (await this.api({ path: "/api/v1/status/runtimeinfo" }, runtimeInfoSchema, "runtimeinfo")).data;
  }

  /**
   * Whether the last config/rules reload succeeded. Uses /api/v1/status/runtimeinfo
   * (`reloadConfigSuccess`, present in 2.42), falling back to the
   * `prometheus_config_last_reload_successful` metric.
   */
  async configReloadSuccessful(): Promise<ReloadStatus> {
    try {
      const info = await this.runtimeInfo();
      const t = new Date(info.lastConfigTime);
      return { successful: info.reloadConfigSuccess, lastSuccess: Number.isNaN(t.getTime()) ? null : t, source: "runtimeinfo" };
    } catch (err) {
      if (err instanceof UpstreamError && (err.kind === "unreachable" || err.kind === "timeout" || err.kind === "aborted")) throw err;
    }
    const text = await this.http.text({ path: "/metrics", headers: { accept: "text/plain" } });
    const ok = metricValue(text, "prometheus_config_last_reload_successful");
    if (ok === undefined) {
      throw new UpstreamError({
        service: "Prometheus",
        url: `${this.baseUrl}/metrics`,
        kind: "invalid_response",
        message: "Prometheus /metrics has no prometheus_config_last_reload_successful",
      });
    }
    const ts = metricValue(text, "prometheus_config_last_reload_success_timestamp_seconds");
    return { successful: ok === 1, lastSuccess: ts ? new Date(ts * 1000) : null, source: "metrics" };
  }

  /**
   * POST /-/reload. Resolves on HTTP 200. Throws UpstreamError with status 500 and the
   * (generic) Prometheus body on a rejected config, 403 when --web.enable-lifecycle is off.
   */
  async reload(): Promise<void> {
    const res = await this.http.raw({ method: "POST", path: "/-/reload", timeoutMs: this.#reloadTimeoutMs, headers: { accept: "text/plain" } });
    if (res.status === 200) return;
    if (res.status === 403) {
      throw new UpstreamError({
        service: "Prometheus",
        url: res.url,
        kind: "http",
        status: 403,
        bodyExcerpt: bodyExcerpt(res.text),
        message: `Prometheus reload refused (HTTP 403): ${bodyExcerpt(res.text) || "forbidden"} (start Prometheus with --web.enable-lifecycle)`,
      });
    }
    throw this.http.httpError(res, "reload");
  }

  /** GET /-/ready: true on 200, false on 503 (starting up). Throws UpstreamError if unreachable. */
  async ready(): Promise<boolean> {
    const res = await this.http.raw({ path: "/-/ready", headers: { accept: "text/plain" } });
    if (res.status === 200) return true;
    if (res.status === 503) return false;
    throw this.http.httpError(res, "readiness check");
  }
}
