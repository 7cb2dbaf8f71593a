import "server-only";
import { fieldErrors } from "@burnrate/domain";
import { NextResponse } from "next/server";
import { ZodError } from "zod";

export type ErrorCode = "bad_request" | "validation_failed" | "not_found" | "conflict" | "unauthorized" | "forbidden" | "rate_limited" | "upstream_error" | "internal_error";

const STATUS: Record<ErrorCode, number> = {
  bad_request: 400,
  validation_failed: 422,
  not_found: 404,
  conflict: 409,
  unauthorized: 401,
  forbidden: 403,
  rate_limited: 429,
  upstream_error: 502,
  internal_error: 500,
};

/** An error that is safe to show to the caller. */
export class ApiError extends Error {
  constructor(
    public readonly code: ErrorCode,
    message: string,
    public readonly fields?: Record<string, string>,
  ) {
    super(message);
  }
}

export const notFound = (what: string) => new ApiError("not_found", `${what} not found`);
export const versionConflict = (what: string, current: number) =>
  new ApiError("conflict", `${what} was changed by someone else (now at version ${current}); reload to see their changes, then apply yours again`, { version: `current version is ${current}` });

type PrismaLikeError = { code?: string; meta?: { target?: string[] | string; modelName?: string; field_name?: string; constraint?: unknown } };

/** Maps any thrown value to the JSON error envelope `{ error: { code, message, fields? } }`. */
export function toErrorResponse(err: unknown): NextResponse {
  if (err instanceof ApiError) {
    return NextResponse.json({ error: { code: err.code, message: err.message, fields: err.fields } }, { status: STATUS[err.code] });
  }
  if (err instanceof ZodError) {
    const fields = fieldErrors(err);
    const first = Object.entries(fields)[0];
    const message = first ? `${first[0]}: ${first[1]}` : "validation failed";
    return NextResponse.json({ error: { code: "validation_failed", message, fields } }, { status: 422 });
  }
  const pe = err as PrismaLikeError;
  if (pe && typeof pe === "object" && typeof pe.code === "string") {
    if (pe.code === "P2002") {
      const target = pe.meta?.target ?? extractConstraintFields(pe.meta?.constraint);
      const field = Array.isArray(target) ? (target.includes("slug") ? "slug" : target.join(",")) : String(target ?? "slug");
      return NextResponse.json({ error: { code: "conflict", message: `${field} is already taken`, fields: { [field]: "is already taken" } } }, { status: 409 });
    }
    // Serializable transactions (user/role changes) that lost a race with a concurrent one.
    if (pe.code === "P2034") return NextResponse.json({ error: { code: "conflict", message: "changed concurrently by someone else; reload and try again" } }, { status: 409 });
    if (pe.code === "P2025") return NextResponse.json({ error: { code: "not_found", message: "not found" } }, { status: 404 });
    if (pe.code === "P2003" || pe.code === "P2014") {
      return NextResponse.json({ error: { code: "conflict", message: "it is still referenced by other objects; delete or move those first" } }, { status: 409 });
    }
  }
  console.error("[api] unhandled error", err);
  return NextResponse.json({ error: { code: "internal_error", message: "internal error; see server logs" } }, { status: 500 });
}

function extractConstraintFields(constraint: unknown): string[] | undefined {
  if (constraint && typeof constraint === "object" && "fields" in constraint) {
    const f = (constraint as { fields: unknown }).fields;
    if (Array.isArray(f)) return f.map(String);
  }
  return undefined;
}
