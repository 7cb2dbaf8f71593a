import "server-only";
import { NextResponse, type NextRequest } from "next/server";
import type { z } from "zod";
import { ApiError, toErrorResponse } from "./errors";

const MAX_BODY_BYTES = 256 * 1024;

/** Reads and JSON-parses a request body with a size limit; malformed JSON is a 400. */
export async function readJson(req: NextRequest): Promise<unknown> {
  const ct = req.headers.get("content-type") ?? "";
  if (!ct.includes("application/json")) throw new ApiError("bad_request", "Content-Type must be application/json");
  const text = await req.text();
  if (text.length > MAX_BODY_BYTES) throw new ApiError("bad_request", `request body is larger than ${MAX_BODY_BYTES} bytes`);
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw new ApiError("bad_request", "request body is not valid JSON");
  }
}

export function parseBody<S extends z.ZodType>(schema: S, body: unknown): z.infer<S> {
  return schema.parse(body) as z.infer<S>;
}

type Ctx<P> = { params: Promise<P> };

/**
 * Wraps a route handler: runs it, maps errors to the JSON envelope, and returns JSON.
 * Handlers return a plain value (200), or `{ status, body }` for other codes.
 */
export function withApi<P = Record<string, string>>(
  handler: (req: NextRequest, params: P) => Promise<unknown>,
): (req: NextRequest, ctx: Ctx<P>) => Promise<NextResponse> {
  return async (req, ctx) => {
    try {
      const params = await ctx.params;
      const out = await handler(req, params);
      if (out instanceof NextResponse || out instanceof Response) return out as NextResponse;
      if (out && typeof out === "object" && "__status" in out) {
        const o = out as { __status: number; body: unknown };
        return o.__status === 204 ? new NextResponse(null, { status: 204 }) : NextResponse.json(o.body, { status: o.__status });
      }
      return NextResponse.json(out);
    } catch (err) {
      return toErrorResponse(err);
    }
  };
}

export const created = (body: unknown) => ({ __status: 201, body });
export const noContent = () => ({ __status: 204, body: null });
