import "server-only";
import { forwardedClientIp, parseTrustProxy, requestOrigin, type TrustProxy } from "@burnrate/domain";
import type { NextRequest } from "next/server";
import { env } from "~/lib/env";

/**
 * The one place that decides what forwarding headers are believed (BURNRATE_TRUST_PROXY, parsed
 * by @burnrate/domain net/proxy). Rate limits key on clientIp(); the CSRF check compares Origin
 * with requestOrigins(). Anything else that needs the client address or the public host uses these.
 */
let cached: { text: string | undefined; trust: TrustProxy } | undefined;

export function trustProxy(): TrustProxy {
  const text = env().BURNRATE_TRUST_PROXY;
  if (!cached || cached.text !== text) cached = { text, trust: parseTrustProxy(text) };
  return cached.trust;
}

/** The client's address as the trusted proxies report it, or null when it cannot be known. */
export function clientIp(req: NextRequest): string | null {
  return forwardedClientIp(trustProxy(), req.headers.get("x-forwarded-for"));
}

/** The origins (scheme://host) this request may legitimately come from, for the Origin check. */
export function requestOrigins(req: NextRequest): string[] {
  const trust = trustProxy();
  const out = new Set<string>();
  const pub = env().BURNRATE_PUBLIC_URL;
  if (pub) out.add(new URL(pub).origin);
  // Next.js fills X-Forwarded-Host with Host when a client sends none, so without a trusted proxy
  // only the Host header counts; the scheme then is unknown and both are accepted for that host.
  const o = requestOrigin(trust, { host: req.headers.get("host"), forwardedHost: req.headers.get("x-forwarded-host"), forwardedProto: req.headers.get("x-forwarded-proto") }, "http");
  if (o.host) {
    if (trust.mode === "none") {
      out.add(`http://${o.host}`);
      out.add(`https://${o.host}`);
    } else out.add(`${o.proto}://${o.host}`);
  }
  return [...out];
}

/** Whether the request reached the outermost proxy (or Burnrate) over https. */
export function requestIsHttps(req: NextRequest): boolean {
  const trust = trustProxy();
  if (trust.mode !== "none") return requestOrigin(trust, { forwardedProto: req.headers.get("x-forwarded-proto") }, "http").proto === "https";
  return (env().BURNRATE_PUBLIC_URL ?? "").startsWith("https://");
}
