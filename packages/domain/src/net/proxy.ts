import { ipInCidr, isCidr, isIpAddress } from "./outbound";

/**
 * Which reverse proxies in front of Burnrate are trusted to say who the client is
 * (`X-Forwarded-For`) and how it was reached (`X-Forwarded-Host`, `X-Forwarded-Proto`):
 * BURNRATE_TRUST_PROXY, either a number of proxy hops or a list of the proxies' addresses/CIDRs.
 * Unset or 0: none, so forwarding headers, which any client can send, are ignored.
 */
export type TrustProxy = { mode: "none" } | { mode: "hops"; hops: number } | { mode: "cidrs"; cidrs: string[] };

export function parseTrustProxy(text: string | undefined): TrustProxy {
  const t = (text ?? "").trim();
  if (t === "" || t === "0" || t.toLowerCase() === "off" || t.toLowerCase() === "false") return { mode: "none" };
  if (/^\d+$/.test(t)) {
    const hops = Number(t);
    if (hops > 10) throw new Error(`${t} proxy hops is implausible (at most 10)`);
    return { mode: "hops", hops };
  }
  const cidrs = t.split(",").map((s) => s.trim()).filter(Boolean);
  for (const c of cidrs) if (!isCidr(c)) throw new Error(`"${c}" is neither a number of proxy hops nor an IP address or CIDR (e.g. 1, or 10.0.0.0/8,fd00::/8)`);
  return { mode: "cidrs", cidrs };
}

function entries(header: string | null | undefined): string[] {
  return (header ?? "")
    .split(",")
    .map((s) => s.trim())
    .filter(Boolean);
}

/**
 * The client address by the trust setting, from `X-Forwarded-For` (each proxy appends the address
 * it was connected from): with N hops, the N-th entry from the right; with CIDRs, the right-most
 * entry that is not a trusted proxy. Null when it cannot be known (no trusted proxy, too few
 * entries, or not an IP address): callers must then not key anything on a client-chosen value.
 */
export function forwardedClientIp(trust: TrustProxy, xForwardedFor: string | null | undefined): string | null {
  if (trust.mode === "none") return null;
  const list = entries(xForwardedFor);
  let ip: string | undefined;
  if (trust.mode === "hops") {
    if (trust.hops === 0 || list.length < trust.hops) return null;
    ip = list[list.length - trust.hops];
  } else {
    for (let i = list.length - 1; i >= 0; i--) {
      const e = list[i] ?? "";
      if (!isIpAddress(e)) return null;
      if (!trust.cidrs.some((c) => ipInCidr(e, c))) {
        ip = e;
        break;
      }
    }
  }
  return ip && isIpAddress(ip) ? ip.toLowerCase() : null;
}

/**
 * The host and scheme the client used: the forwarded ones only when a proxy is trusted (the
 * right-most value, the one the nearest proxy set), else the Host header and the connection's own
 * scheme.
 */
export function requestOrigin(trust: TrustProxy, h: { host?: string | null; forwardedHost?: string | null; forwardedProto?: string | null }, connectionProto: "http" | "https"): { host: string | null; proto: "http" | "https" } {
  if (trust.mode === "none") return { host: h.host?.trim() || null, proto: connectionProto };
  const host = entries(h.forwardedHost).at(-1) ?? h.host?.trim() ?? null;
  const p = entries(h.forwardedProto).at(-1)?.toLowerCase();
  return { host: host || null, proto: p === "https" ? "https" : p === "http" ? "http" : connectionProto };
}
