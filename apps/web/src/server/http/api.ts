import "server-only";
import { NextResponse, type NextRequest } from "next/server";
import { checkOrigin, resolvePrincipal, type Principal } from "../auth";
import { metrics, routePattern } from "../metrics";
import { ApiError, toErrorResponse } from "./errors";

const MAX_BODY_BYTES = 256 * 1024;

/**
 * The media type of a Content-Type header, lower-cased, without parameters: `application/json`
 * for `Application/JSON; charset=utf-8`. Exact, so `text/plain; a=application/json` (a "simple"
 * cross-site request) is not JSON.
 */
export function mediaType(header: string | null): string {
  return (header ?? "").split(";")[0]?.trim().toLowerCase() ?? "";
}

/** Reads and JSON-parses a request body with a size limit; malformed JSON is a 400. */
export async function readJson(req: NextRequest): Promise<unknown> {
  if (mediaType(req.headers.get("content-type")) !== "application/json") throw new ApiError("bad_request", "Content-Type must be application/json");
  const text = await req.text();
  if (text.length > MAX_BODY_BYTES) throw new ApiError("bad_request", `request body is larger than ${MAX_BODY_BYTES} bytes`);
  return parseJsonStrict(text);
}

/**
 * JSON.parse that also refuses NUL characters in strings: PostgreSQL cannot store them in text
 * columns, so they would otherwise surface as a 500 on insert.
 */
export function parseJsonStrict(text: string): unknown {
  let value: unknown;
  try {
    value = JSON.parse(text, (key, v: unknown) => {
      if (typeof v === "string" && v.includes("\u0000")) throw new NulError(key);
      if (typeof v === "string" && LONE_SURROGATE.test(v)) throw new NulError(key, "must be valid Unicode (no lone surrogate \\ud800-\\udfff)");
      return v;
    });
  } catch (err) {
    if (err instanceof NulError) throw new ApiError("bad_request", `${err.field ? `${err.field}: ` : ""}text ${err.what}`, err.field ? { [err.field]: err.what } : undefined);
    throw new ApiError("bad_request", "request body is not valid JSON");
  }
  return value;
}

/** PostgreSQL cannot store UTF-16 halves without their pair (a 500 on insert otherwise). */
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

class NulError extends Error {
  constructor(
    readonly field: string,
    readonly what = "must not contain NUL (\\u0000) characters",
  ) {
    super("invalid JSON string");
  }
}

type Ctx<P> = { params: Promise<P> };
type Options = {
  /**
   * "user" (default): a signed-in user or API token is required; mutations from a browser
   * session must come from this site (CSRF). "public": no caller identity needed (webhooks that
   * authenticate themselves, health, metrics, login).
   */
  auth?: "user" | "public";
};

/**
 * Wraps a route handler: authenticates, runs it, maps errors to the JSON envelope, and returns
 * JSON. Handlers return a plain value (200), `created(...)`, `noContent()`, or a Response.
 */
export function withApi<P = Record<string, string>>(
  handler: (req: NextRequest, params: P, me: Principal) => Promise<unknown>,
  opts: Options = {},
): (req: NextRequest, ctx: Ctx<P>) => Promise<NextResponse> {
  return async (req, ctx) => {
    const t0 = performance.now();
    let params: P | undefined;
    const res = await (async () => {
      try {
        params = await ctx.params;
        // NUL or broken Unicode in the path or query would reach PostgreSQL (a 500): refuse it here.
        for (const [k, v] of [...req.nextUrl.searchParams.entries(), ...Object.entries((params ?? {}) as Record<string, unknown>)]) {
          if (typeof v === "string" && (v.includes("\u0000") || LONE_SURROGATE.test(v))) throw new ApiError("bad_request", `${k}: must not contain NUL characters or invalid Unicode`, { [k]: "must not contain NUL characters or invalid Unicode" });
        }
        let me: Principal | null = null;
        if (opts.auth !== "public") {
          // The request's instant, read once here at the edge (credential expiry is decided against it).
          me = await resolvePrincipal(req, Date.now());
          if (!me) throw new ApiError("unauthorized", "sign in first, or send Authorization: Bearer <API token>");
          checkOrigin(req, me);
        }
        const out = await handler(req, params as P, me as Principal);
        if (out instanceof NextResponse || out instanceof Response) return out as NextResponse;
        if (out && typeof out === "object" && "__status" in out) {
          const o = out as { __status: number; body: unknown };
          return o.__status === 204 ? new NextResponse(null, { status: 204 }) : NextResponse.json(o.body, { status: o.__status });
        }
        return NextResponse.json(out);
      } catch (err) {
        return toErrorResponse(err);
      }
    })();
    try {
      metrics().httpDuration.observe(
        { route: routePattern(req.nextUrl.pathname, params as Record<string, unknown> | undefined), method: req.method, status: String(res.status) },
        (performance.now() - t0) / 1000,
      );
    } catch {
      // metrics never fail a request
    }
    return res;
  };
}

export const created = (body: unknown) => ({ __status: 201, body });
export const noContent = () => ({ __status: 204, body: null });
