/**
 * One fetch wrapper for every upstream we talk to (Prometheus, Alertmanager, Grafana, Mimir).
 *
 * - timeouts via AbortSignal.timeout (combined with an optional caller signal)
 * - redirect: "manual"; any 3xx is an error (never follow redirects, possibly to other hosts)
 * - JSON, form or raw (e.g. YAML) request bodies; the raw response text is always available
 * - responses validated with zod; failures become `UpstreamError` with a stable human message
 * - optional bearer token / basic auth / extra headers; credentials are kept in private fields
 *   and never appear in error messages, `url` fields or logs (this module logs nothing)
 */
import type { z } from "zod";

export type UpstreamErrorKind =
  | "unreachable"
  | "timeout"
  | "aborted"
  | "redirect"
  | "http"
  | "invalid_json"
  | "invalid_response"
  | "api_error"
  // set by service clients (Grafana, Mimir) that classify HTTP errors further
  | "auth"
  | "conflict"
  | "limit"
  | "not_found";

export interface UpstreamErrorInit {
  service: string;
  url: string;
  kind: UpstreamErrorKind;
  message: string;
  status?: number;
  bodyExcerpt?: string;
  errorType?: string;
  cause?: unknown;
}

/** Base of every upstream failure; service clients subclass it (GrafanaError, MimirError). */
export class UpstreamError extends Error {
  override readonly name: string = "UpstreamError";
  readonly service: string;
  /** Request URL without credentials or query string. */
  readonly url: string;
  readonly kind: UpstreamErrorKind;
  readonly status?: number;
  readonly bodyExcerpt?: string;
  /** Prometheus `errorType` when the upstream returned an error envelope. */
  readonly errorType?: string;

  constructor(init: UpstreamErrorInit) {
    super(init.message, init.cause === undefined ? undefined : { cause: init.cause });
    this.service = init.service;
    this.url = init.url;
    this.kind = init.kind;
    if (init.status !== undefined) this.status = init.status;
    if (init.bodyExcerpt !== undefined) this.bodyExcerpt = init.bodyExcerpt;
    if (init.errorType !== undefined) this.errorType = init.errorType;
  }

  toJSON(): Record<string, unknown> {
    return {
      name: this.name,
      service: this.service,
      url: this.url,
      kind: this.kind,
      status: this.status,
      message: this.message,
    };
  }
}

export function isUpstreamError(e: unknown): e is UpstreamError {
  return e instanceof UpstreamError;
}

export interface BasicAuth {
  username: string;
  password: string;
}

export interface HttpClientOptions {
  /** Human name used in messages: "Prometheus", "Alertmanager". */
  service: string;
  baseUrl: string;
  /** Default per-request timeout. Default 10 000 ms. */
  timeoutMs?: number;
  token?: string;
  basicAuth?: BasicAuth;
  headers?: Record<string, string>;
  /** Max response body size in bytes. Default 64 MiB. */
  maxBodyBytes?: number;
  /** Injected fetch (tests). Defaults to globalThis.fetch. */
  fetch?: typeof fetch;
  /**
   * Credentials in baseUrl (`https://user:pass@host`): "basic-auth" (default) moves them into an
   * Authorization: Basic header; "reject" throws a TypeError (clients that authenticate with a token).
   */
  urlCredentials?: "basic-auth" | "reject";
  /**
   * What a refused redirect's message says after the status: "location" (default) names where it
   * pointed; "check-base-url" asks to check the configured base URL instead.
   */
  redirectMessage?: "location" | "check-base-url";
}

/** Connection settings service clients take from their callers. */
export interface ConnectionOptions {
  baseUrl: string;
  /** Default 10 000 ms. */
  timeoutMs?: number;
  token?: string;
  basicAuth?: BasicAuth;
  headers?: Record<string, string>;
  fetch?: typeof fetch;
}

/**
 * HttpClient options for `service` from a client's options: copies the connection settings that
 * are set (and nothing else from `opts`), then `extra`.
 */
export function httpClientOptions(service: string, opts: ConnectionOptions, extra: Omit<Partial<HttpClientOptions>, "service" | "baseUrl"> = {}): HttpClientOptions {
  const out: HttpClientOptions = { service, baseUrl: opts.baseUrl };
  if (opts.timeoutMs !== undefined) out.timeoutMs = opts.timeoutMs;
  if (opts.token !== undefined) out.token = opts.token;
  if (opts.basicAuth !== undefined) out.basicAuth = opts.basicAuth;
  if (opts.headers !== undefined) out.headers = opts.headers;
  if (opts.fetch !== undefined) out.fetch = opts.fetch;
  return { ...out, ...extra };
}

export type QueryValue = string | number | boolean | undefined | null | readonly (string | number)[];

export interface RequestOptions {
  method?: "GET" | "POST" | "PUT" | "DELETE";
  /** Path relative to baseUrl, e.g. "/api/v1/query". */
  path: string;
  query?: Record<string, QueryValue>;
  /** Request body; at most one of json, form and body. */
  json?: unknown;
  form?: Record<string, string>;
  /** Raw request body sent as-is, e.g. YAML for the Mimir ruler API. */
  body?: RequestBody;
  headers?: Record<string, string>;
  /** false: send without the client's credentials (unauthenticated endpoints such as health checks). */
  auth?: boolean;
  timeoutMs?: number;
  signal?: AbortSignal;
}

export interface RequestBody {
  data: string | Uint8Array;
  contentType: string;
}

export interface RawResponse {
  status: number;
  headers: Headers;
  text: string;
  /** Credential-free URL without the query string. */
  url: string;
}

const DEFAULT_TIMEOUT_MS = 10_000;
const DEFAULT_MAX_BODY = 64 * 1024 * 1024;
const EXCERPT_LEN = 200;

export function bodyExcerpt(text: string, max = EXCERPT_LEN): string {
  const flat = text.replace(/\s+/g, " ").trim();
  return flat.length > max ? `${flat.slice(0, max)}…` : flat;
}

const NETWORK_CODES: Record<string, string> = {
  ECONNREFUSED: "connection refused",
  ECONNRESET: "connection reset",
  ENOTFOUND: "host not found",
  EAI_AGAIN: "DNS lookup failed",
  EHOSTUNREACH: "host unreachable",
  ENETUNREACH: "network unreachable",
  ETIMEDOUT: "connection timed out",
  EPIPE: "connection closed",
  UND_ERR_SOCKET: "connection closed by server",
  UND_ERR_CONNECT_TIMEOUT: "connect timed out",
  UND_ERR_HEADERS_TIMEOUT: "timed out waiting for response headers",
  UND_ERR_BODY_TIMEOUT: "timed out reading response body",
  CERT_HAS_EXPIRED: "TLS certificate expired",
  DEPTH_ZERO_SELF_SIGNED_CERT: "self-signed TLS certificate",
  UNABLE_TO_VERIFY_LEAF_SIGNATURE: "TLS certificate could not be verified",
  ERR_TLS_CERT_ALTNAME_INVALID: "TLS certificate does not match host",
};

function networkReason(err: unknown): string {
  let cur: unknown = err;
  for (let i = 0; i < 5 && cur; i++) {
    const code = (cur as { code?: unknown }).code;
    if (typeof code === "string") return NETWORK_CODES[code] ?? code.toLowerCase();
    // AggregateError (happy eyeballs) carries the real errors in .errors
    const errors = (cur as { errors?: unknown[] }).errors;
    if (Array.isArray(errors) && errors.length > 0) {
      cur = errors[0];
      continue;
    }
    cur = (cur as { cause?: unknown }).cause;
  }
  const msg = err instanceof Error ? err.message : String(err);
  return msg === "fetch failed" ? "network error" : msg;
}

function isAbortLike(err: unknown, name: string): boolean {
  return typeof err === "object" && err !== null && (err as { name?: unknown }).name === name;
}

/** Formats zod issues as `path: message; path: message`. */
export function formatZodError(err: z.ZodError, maxIssues = 3): string {
  const parts = err.issues.slice(0, maxIssues).map((i) => {
    const p = i.path.length ? i.path.map(String).join(".") : "(root)";
    return `${p}: ${i.message}`;
  });
  if (err.issues.length > maxIssues) parts.push(`… ${err.issues.length - maxIssues} more`);
  return parts.join("; ");
}

export class HttpClient {
  readonly service: string;
  readonly baseUrl: string;
  readonly timeoutMs: number;
  readonly #authHeader: string | undefined;
  readonly #headers: Record<string, string>;
  readonly #fetch: typeof fetch;
  readonly #maxBody: number;
  readonly #redirectMessage: "location" | "check-base-url";

  constructor(opts: HttpClientOptions) {
    this.service = opts.service;
    let u: URL;
    try {
      u = new URL(opts.baseUrl);
    } catch {
      throw new TypeError(`${opts.service} baseUrl is not a valid URL`);
    }
    if (u.protocol !== "http:" && u.protocol !== "https:") {
      throw new TypeError(`${opts.service} baseUrl must be http(s), got ${u.protocol}`);
    }
    let basic = opts.basicAuth;
    if ((u.username || u.password) && opts.urlCredentials === "reject") {
      throw new TypeError(`${opts.service} baseUrl must not contain credentials; pass the token separately`);
    }
    if (u.username || u.password) {
      // fetch refuses URLs with credentials; move them to a header and out of any message.
      basic ??= { username: decodeURIComponent(u.username), password: decodeURIComponent(u.password) };
      u.username = "";
      u.password = "";
    }
    u.search = "";
    u.hash = "";
    this.baseUrl = u.toString().replace(/\/+$/, "");
    this.timeoutMs = opts.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    if (opts.token) this.#authHeader = `Bearer ${opts.token}`;
    else if (basic) this.#authHeader = `Basic ${Buffer.from(`${basic.username}:${basic.password}`).toString("base64")}`;
    this.#headers = { ...(opts.headers ?? {}) };
    this.#fetch = opts.fetch ?? globalThis.fetch.bind(globalThis);
    this.#maxBody = opts.maxBodyBytes ?? DEFAULT_MAX_BODY;
    this.#redirectMessage = opts.redirectMessage ?? "location";
  }

  /** Credential-free display form of the base URL. */
  toString(): string {
    return `${this.service}(${this.baseUrl})`;
  }

  buildUrl(path: string, query?: Record<string, QueryValue>): URL {
    const u = new URL(this.baseUrl + (path.startsWith("/") ? path : `/${path}`));
    for (const [k, v] of Object.entries(query ?? {})) {
      if (v === undefined || v === null) continue;
      if (Array.isArray(v)) for (const item of v) u.searchParams.append(k, String(item));
      else u.searchParams.append(k, String(v));
    }
    return u;
  }

  /**
   * Performs the request. Throws UpstreamError for network errors, timeouts and redirects;
   * returns non-2xx responses as-is (callers decide).
   */
  async raw(opts: RequestOptions): Promise<RawResponse> {
    const url = this.buildUrl(opts.path, opts.query);
    const displayUrl = `${url.origin}${url.pathname}`;
    const timeoutMs = opts.timeoutMs ?? this.timeoutMs;
    const timeoutSignal = AbortSignal.timeout(timeoutMs);
    const signal = opts.signal ? AbortSignal.any([timeoutSignal, opts.signal]) : timeoutSignal;

    const headers: Record<string, string> = { accept: "application/json", ...this.#headers, ...(opts.headers ?? {}) };
    if (this.#authHeader && opts.auth !== false) headers["authorization"] = this.#authHeader;
    let body: string | Uint8Array | undefined;
    if (opts.json !== undefined) {
      body = JSON.stringify(opts.json);
      headers["content-type"] = "application/json";
    } else if (opts.form !== undefined) {
      body = new URLSearchParams(opts.form).toString();
      headers["content-type"] = "application/x-www-form-urlencoded";
    } else if (opts.body !== undefined) {
      body = opts.body.data;
      headers["content-type"] = opts.body.contentType;
    }

    const fail = (kind: UpstreamErrorKind, message: string, extra: Partial<UpstreamErrorInit> = {}) =>
      new UpstreamError({ service: this.service, url: displayUrl, kind, message, ...extra });

    const onAbort = (err: unknown): UpstreamError => {
      if (timeoutSignal.aborted || isAbortLike(err, "TimeoutError")) {
        return fail("timeout", `${this.service} timed out after ${timeoutMs}ms at ${displayUrl}`, { cause: err });
      }
      return fail("aborted", `${this.service} request aborted at ${displayUrl}`, { cause: err });
    };

    let res: Response;
    try {
      res = await this.#fetch(url, {
        method: opts.method ?? "GET",
        headers,
        // A Uint8Array is a valid fetch body; the cast is for DOM lib typings (Uint8Array<ArrayBufferLike>).
        body: body as RequestInit["body"],
        redirect: "manual",
        signal,
      });
    } catch (err) {
      if (signal.aborted || isAbortLike(err, "AbortError") || isAbortLike(err, "TimeoutError")) throw onAbort(err);
      throw fail("unreachable", `${this.service} unreachable at ${displayUrl}: ${networkReason(err)}`, { cause: err });
    }

    if (res.type === "opaqueredirect" || (res.status >= 300 && res.status < 400)) {
      const loc = this.#redirectMessage === "location" ? res.headers.get("location") : null;
      let where = "";
      if (loc) {
        try {
          const l = new URL(loc, url);
          where = ` to ${l.origin}${l.pathname}`;
        } catch {
          where = "";
        }
      }
      await res.body?.cancel().catch(() => {});
      const hint = this.#redirectMessage === "check-base-url" ? " — check the base URL" : "";
      throw fail("redirect", `${this.service} at ${displayUrl} answered with a redirect (HTTP ${res.status})${where}; redirects are not followed${hint}`, {
        status: res.status,
      });
    }

    let text: string;
    try {
      text = await readBody(res, this.#maxBody);
    } catch (err) {
      if (err instanceof BodyTooLarge) {
        throw fail("invalid_response", `${this.service} response from ${displayUrl} exceeds ${this.#maxBody} bytes`, { status: res.status });
      }
      if (signal.aborted) throw onAbort(err);
      throw fail("unreachable", `${this.service} unreachable at ${displayUrl}: ${networkReason(err)}`, { cause: err });
    }
    return { status: res.status, headers: res.headers, text, url: displayUrl };
  }

  /** Creates the standard "HTTP <status>: <excerpt>" error for a response. */
  httpError(res: RawResponse, what?: string): UpstreamError {
    const excerpt = bodyExcerpt(res.text);
    const prefix = what ? `${this.service} ${what} failed` : `${this.service} request to ${res.url} failed`;
    return new UpstreamError({
      service: this.service,
      url: res.url,
      kind: "http",
      status: res.status,
      bodyExcerpt: excerpt,
      message: `${prefix} (HTTP ${res.status})${excerpt ? `: ${excerpt}` : ""}`,
    });
  }

  /** Parses JSON text; throws "invalid JSON from <service>". */
  parseJson(res: RawResponse): unknown {
    try {
      return JSON.parse(res.text);
    } catch (err) {
      throw new UpstreamError({
        service: this.service,
        url: res.url,
        kind: "invalid_json",
        status: res.status,
        bodyExcerpt: bodyExcerpt(res.text),
        message: `invalid JSON from ${this.service} at ${res.url} (HTTP ${res.status}): ${bodyExcerpt(res.text, 80) || "empty body"}`,
        cause: err,
      });
    }
  }

  validate<S extends z.ZodType>(res: RawResponse, value: unknown, schema: S): z.output<S> {
    const parsed = schema.safeParse(value);
    if (!parsed.success) {
      throw new UpstreamError({
        service: this.service,
        url: res.url,
        kind: "invalid_response",
        status: res.status,
        message: `unexpected response from ${this.service} at ${res.url}: ${formatZodError(parsed.error)}`,
        cause: parsed.error,
      });
    }
    return parsed.data;
  }

  /** Requests JSON; non-2xx → UpstreamError(kind "http"); validates with schema. */
  async json<S extends z.ZodType>(opts: RequestOptions, schema: S): Promise<z.output<S>> {
    const res = await this.raw(opts);
    if (res.status < 200 || res.status >= 300) throw this.httpError(res);
    return this.validate(res, this.parseJson(res), schema);
  }

  /** Requests text; non-2xx → UpstreamError(kind "http"). */
  async text(opts: RequestOptions): Promise<string> {
    const res = await this.raw(opts);
    if (res.status < 200 || res.status >= 300) throw this.httpError(res);
    return res.text;
  }
}

class BodyTooLarge extends Error {}

async function readBody(res: Response, max: number): Promise<string> {
  const len = Number(res.headers.get("content-length") ?? "NaN");
  if (Number.isFinite(len) && len > max) {
    await res.body?.cancel().catch(() => {});
    throw new BodyTooLarge();
  }
  if (!res.body) return "";
  const reader = res.body.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.byteLength;
    if (total > max) {
      await reader.cancel().catch(() => {});
      throw new BodyTooLarge();
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks).toString("utf8");
}

/** Parses Prometheus-style `name{labels} value` text exposition and returns the first sample of `metric`. */
export function metricValue(exposition: string, metric: string): number | undefined {
  for (const line of exposition.split("\n")) {
    if (!line.startsWith(metric)) continue;
    const rest = line.slice(metric.length);
    if (rest[0] !== " " && rest[0] !== "{") continue;
    const valueStr = rest.startsWith("{") ? rest.slice(rest.lastIndexOf("}") + 1).trim() : rest.trim();
    const v = parseSampleValue(valueStr.split(/\s+/)[0] ?? "");
    if (!Number.isNaN(v) || valueStr.startsWith("NaN")) return v;
  }
  return undefined;
}

/** Parses a Prometheus sample value string ("1.5", "+Inf", "-Inf", "NaN"). */
export function parseSampleValue(s: string): number {
  if (s === "+Inf" || s === "Inf") return Number.POSITIVE_INFINITY;
  if (s === "-Inf") return Number.NEGATIVE_INFINITY;
  if (s === "NaN") return Number.NaN;
  const n = Number(s);
  return s.trim() === "" ? Number.NaN : n;
}
