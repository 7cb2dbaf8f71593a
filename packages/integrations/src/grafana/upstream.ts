/**
 * Minimal fetch wrapper shared by the Grafana and Mimir clients: per-request timeout, redirects
 * never followed (`redirect: "manual"`, any 3xx is an error), credential-free URLs in messages.
 *
 * TODO: switch to `../http` (HttpClient/UpstreamError) once that module is committed; it was still
 * in progress when these clients were written and has no raw-body (YAML) requests yet.
 */

export type UpstreamErrorKind = "unreachable" | "timeout" | "redirect" | "http" | "invalid_response" | "auth" | "conflict" | "limit" | "not_found";

export class UpstreamError extends Error {
  override readonly name: string = "UpstreamError";
  constructor(
    message: string,
    readonly service: string,
    readonly url: string,
    readonly kind: UpstreamErrorKind,
    readonly status?: number,
    readonly body?: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

export type UpstreamResponse = { status: number; text: string; headers: Headers; url: string };

export type UpstreamRequest = {
  method?: "GET" | "POST" | "PUT" | "DELETE";
  path: string;
  headers?: Record<string, string>;
  body?: string;
  contentType?: string;
};

export function excerpt(text: string, max = 240): string {
  const flat = text.replace(/\s+/g, " ").trim();
  return flat.length > max ? `${flat.slice(0, max)}…` : flat;
}

export class Upstream {
  readonly baseUrl: string;
  constructor(
    readonly service: string,
    baseUrl: string,
    readonly timeoutMs: number,
    private readonly fetchImpl: typeof fetch = globalThis.fetch.bind(globalThis),
  ) {
    let u: URL;
    try {
      u = new URL(baseUrl);
    } catch {
      throw new TypeError(`${service} baseUrl is not a valid URL`);
    }
    if (u.protocol !== "http:" && u.protocol !== "https:") throw new TypeError(`${service} baseUrl must be http(s)`);
    if (u.username || u.password) throw new TypeError(`${service} baseUrl must not contain credentials; pass the token separately`);
    u.search = "";
    u.hash = "";
    this.baseUrl = u.toString().replace(/\/+$/, "");
  }

  async request(req: UpstreamRequest): Promise<UpstreamResponse> {
    const url = `${this.baseUrl}${req.path.startsWith("/") ? req.path : `/${req.path}`}`;
    const display = url.split("?")[0] ?? url;
    const headers: Record<string, string> = { accept: "application/json", ...(req.headers ?? {}) };
    if (req.body !== undefined) headers["content-type"] = req.contentType ?? "application/json";
    const signal = AbortSignal.timeout(this.timeoutMs);
    let res: Response;
    try {
      res = await this.fetchImpl(url, { method: req.method ?? "GET", headers, body: req.body, redirect: "manual", signal });
    } catch (err) {
      if (signal.aborted) throw new UpstreamError(`${this.service} timed out after ${this.timeoutMs}ms at ${display}`, this.service, display, "timeout", undefined, undefined, { cause: err });
      const code = (err as { cause?: { code?: string } }).cause?.code;
      throw new UpstreamError(
        `${this.service} unreachable at ${display}: ${code ?? (err instanceof Error ? err.message : String(err))}`,
        this.service,
        display,
        "unreachable",
        undefined,
        undefined,
        { cause: err },
      );
    }
    if (res.type === "opaqueredirect" || (res.status >= 300 && res.status < 400)) {
      await res.body?.cancel().catch(() => {});
      throw new UpstreamError(
        `${this.service} at ${display} answered with a redirect (HTTP ${res.status}); redirects are not followed — check the base URL`,
        this.service,
        display,
        "redirect",
        res.status,
      );
    }
    let text: string;
    try {
      text = await res.text();
    } catch (err) {
      if (signal.aborted) throw new UpstreamError(`${this.service} timed out after ${this.timeoutMs}ms at ${display}`, this.service, display, "timeout", undefined, undefined, { cause: err });
      throw new UpstreamError(`${this.service} closed the connection at ${display}`, this.service, display, "unreachable", undefined, undefined, { cause: err });
    }
    return { status: res.status, text, headers: res.headers, url: display };
  }

  json(res: UpstreamResponse): unknown {
    try {
      return JSON.parse(res.text);
    } catch {
      throw new UpstreamError(`invalid JSON from ${this.service} at ${res.url} (HTTP ${res.status}): ${excerpt(res.text, 80) || "empty body"}`, this.service, res.url, "invalid_response", res.status);
    }
  }
}
