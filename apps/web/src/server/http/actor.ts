import "server-only";
import type { NextRequest } from "next/server";

/**
 * Who is making the change, for the audit log. Until login lands this is the `X-Burnrate-User`
 * header (set by the UI) or "anonymous".
 */
export function actorFrom(req: NextRequest): { name: string } {
  const h = req.headers.get("x-burnrate-user")?.trim();
  return { name: h && /^[\w.@+-]{1,120}$/.test(h) ? h : "anonymous" };
}
