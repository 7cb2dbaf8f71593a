/**
 * SSRF policy for the URLs Burnrate (or the Alertmanager it configures) sends requests to: push
 * targets and alert-receiver webhooks. Pure: the caller resolves the hostname and passes the
 * addresses in, so the same decision is made at save time and again right before each push (DNS
 * may have changed in between).
 *
 * Policy text (BURNRATE_OUTBOUND_ALLOW):
 * - "" (unset): any host except link-local / cloud-metadata addresses. Loopback and private
 *   networks stay allowed: a Prometheus on 127.0.0.1 or in the same VPC is the common case.
 * - "public": additionally no loopback, private, shared (CGNAT), unspecified, benchmarking,
 *   documentation, IETF-protocol, reserved (240/4) or broadcast addresses, and no name that does
 *   not resolve (its addresses cannot be checked).
 * - otherwise a comma-separated allow-list of hostnames ("prom.internal"), suffix wildcards
 *   ("*.example.com", which does not match example.com itself) and CIDRs or single addresses
 *   ("10.0.0.0/8", "fd12::/16", "192.0.2.7"). A host is allowed when its name is listed (whether
 *   or not it resolves), or when it resolves and every address lies in a listed CIDR.
 * Link-local / metadata addresses are refused in every mode unless the allow-list names them
 * explicitly with a CIDR inside the link-local range (a broad "0.0.0.0/0" does not count), and
 * the metadata hostnames only when listed by exact name.
 *
 * IPv6 addresses that carry an IPv4 address (IPv4-mapped, IPv4-compatible, NAT64, 6to4) are also
 * judged by the IPv4 address they reach.
 */

type Ip = { v: 4 | 6; bytes: number[] };
type Cidr = Ip & { prefix: number };
type AllowCidr = Cidr & { entry: string; linkLocal: boolean };

export type OutboundPolicy =
  | { mode: "default" }
  | { mode: "public" }
  | { mode: "allow"; names: string[]; suffixes: string[]; cidrs: AllowCidr[] };

export type HostCheck = { ok: true } | { ok: false; reason: string; unresolved?: true };

const METADATA_HOSTS = new Set(["metadata.google.internal", "metadata"]);

/** Refused in every mode; the label is what the error message calls the address. */
const LINK_LOCAL: [string, string][] = [
  ["169.254.169.254/32", "cloud metadata address"],
  ["fd00:ec2::254/128", "cloud metadata address"],
  ["169.254.0.0/16", "link-local address"],
  ["fe80::/10", "link-local address"],
];

/** Additionally refused by "public". */
const NON_PUBLIC: [string, string][] = [
  ["127.0.0.0/8", "loopback address"],
  ["::1/128", "loopback address"],
  ["0.0.0.0/8", "unspecified address"],
  ["::/128", "unspecified address"],
  ["10.0.0.0/8", "private address"],
  ["172.16.0.0/12", "private address"],
  ["192.168.0.0/16", "private address"],
  ["100.64.0.0/10", "private address"],
  ["fc00::/7", "private address"],
  ["198.18.0.0/15", "benchmarking address"],
  ["192.0.0.0/24", "IETF protocol address"],
  ["192.0.2.0/24", "documentation address"],
  ["198.51.100.0/24", "documentation address"],
  ["203.0.113.0/24", "documentation address"],
  ["2001:db8::/32", "documentation address"],
  // Before 240.0.0.0/4, which contains it, so that it gets its own name.
  ["255.255.255.255/32", "broadcast address"],
  ["240.0.0.0/4", "reserved address"],
];

const ranges = (list: [string, string][]) => list.map(([c, label]) => ({ cidr: parseCidr(c) as Cidr, label }));
const LINK_LOCAL_RANGES = ranges(LINK_LOCAL);
const NON_PUBLIC_RANGES = ranges(NON_PUBLIC);

// ---------- addresses ----------

function parseIPv4(s: string): Ip | null {
  const parts = s.split(".");
  if (parts.length !== 4) return null;
  const bytes: number[] = [];
  for (const p of parts) {
    // No leading zeros: "010" means 8 to inet_aton but 10 to a reader, so refuse the ambiguity.
    if (!/^(0|[1-9]\d{0,2})$/.test(p)) return null;
    const n = Number(p);
    if (n > 255) return null;
    bytes.push(n);
  }
  return { v: 4, bytes };
}

function parseIPv6(input: string): Ip | null {
  let s = input;
  const zone = s.indexOf("%");
  if (zone >= 0) s = s.slice(0, zone); // fe80::1%eth0 from the resolver
  if (!s.includes(":")) return null;
  // A dotted IPv4 tail (::ffff:1.2.3.4) becomes two hex groups.
  const lastColon = s.lastIndexOf(":");
  const tail = s.slice(lastColon + 1);
  if (tail.includes(".")) {
    const v4 = parseIPv4(tail);
    if (!v4) return null;
    const [a = 0, b = 0, c = 0, d = 0] = v4.bytes;
    s = `${s.slice(0, lastColon + 1)}${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
  }
  const halves = s.split("::");
  if (halves.length > 2) return null;
  const groups = (h: string | undefined) => (h ? h.split(":") : []);
  const head = groups(halves[0]);
  const rest = groups(halves[1]);
  const total = head.length + rest.length;
  if (halves.length === 1 ? total !== 8 : total > 7) return null;
  const all = [...head, ...Array<string>(8 - total).fill("0"), ...rest];
  const bytes: number[] = [];
  for (const g of all) {
    if (!/^[0-9a-f]{1,4}$/i.test(g)) return null;
    const n = parseInt(g, 16);
    bytes.push(n >> 8, n & 0xff);
  }
  return { v: 6, bytes };
}

function parseIp(s: string): Ip | null {
  const t = s.startsWith("[") && s.endsWith("]") ? s.slice(1, -1) : s;
  return parseIPv4(t) ?? parseIPv6(t);
}

/** True for an IPv4 or IPv6 address literal (brackets allowed), i.e. a host that needs no DNS. */
export function isIpAddress(host: string): boolean {
  return parseIp(host) !== null;
}

/**
 * IPv6 forms that carry an IPv4 address and reach it:
 * - IPv4-mapped ::ffff:0:0/96 (::ffff:169.254.169.254, which the kernel connects to over IPv4);
 * - IPv4-compatible ::/96 (deprecated; ::a.b.c.d with a non-zero IPv4 address, not :: or ::1);
 * - NAT64: the well-known prefix 64:ff9b::/96 and the local-use prefix 64:ff9b:1::/48 (RFC 8215),
 *   read with the IPv4 address in the last 32 bits, the /96 layout DNS64 deployments use;
 * - 6to4 2002::/16, with the IPv4 address of the relay site in bits 16–47.
 */
function embeddedIPv4(ip: Ip): Ip | null {
  if (ip.v !== 6) return null;
  const b = ip.bytes;
  const zeros = (from: number, to: number) => b.slice(from, to).every((x) => x === 0);
  const last32: Ip = { v: 4, bytes: b.slice(12) };
  if (zeros(0, 10) && b[10] === 0xff && b[11] === 0xff) return last32;
  if (zeros(0, 12) && !zeros(12, 16) && !(zeros(12, 15) && b[15] === 1)) return last32;
  if (b[0] === 0 && b[1] === 0x64 && b[2] === 0xff && b[3] === 0x9b) {
    if (zeros(4, 12)) return last32;
    if (b[4] === 0 && b[5] === 1) return last32;
  }
  if (b[0] === 0x20 && b[1] === 0x02) return { v: 4, bytes: b.slice(2, 6) };
  return null;
}

/** The address and, for IPv4-in-IPv6 forms, the IPv4 address it reaches. */
function forms(ip: Ip): Ip[] {
  const v4 = embeddedIPv4(ip);
  return v4 ? [ip, v4] : [ip];
}

function contains(c: Cidr, ip: Ip): boolean {
  if (c.v !== ip.v) return false;
  for (let bit = 0; bit < c.prefix; bit += 8) {
    const left = c.prefix - bit;
    const mask = left >= 8 ? 0xff : (0xff << (8 - left)) & 0xff;
    if (((c.bytes[bit / 8] ?? 0) & mask) !== ((ip.bytes[bit / 8] ?? 0) & mask)) return false;
  }
  return true;
}

function parseCidr(s: string): Cidr | null {
  const [addr = "", prefixText, extra] = s.split("/");
  if (extra !== undefined) return null;
  const ip = parseIp(addr);
  if (!ip) return null;
  const max = ip.v === 4 ? 32 : 128;
  if (prefixText === undefined) return { ...ip, prefix: max };
  if (!/^\d{1,3}$/.test(prefixText) || Number(prefixText) > max) return null;
  const prefix = Number(prefixText);
  // Host bits are ignored (10.1.2.3/8 means 10.0.0.0/8), as Go's and Python's parsers allow.
  const bytes = ip.bytes.map((byte, i) => {
    const left = prefix - i * 8;
    return left >= 8 ? byte : left <= 0 ? 0 : byte & ((0xff << (8 - left)) & 0xff);
  });
  return { v: ip.v, bytes, prefix };
}

function formatIp(ip: Ip): string {
  if (ip.v === 4) return ip.bytes.join(".");
  const groups = Array.from({ length: 8 }, (_, i) => (((ip.bytes[2 * i] ?? 0) << 8) | (ip.bytes[2 * i + 1] ?? 0)).toString(16));
  // Compress the longest run of two or more zero groups, as the URL parser does.
  let best = -1;
  let bestLen = 1;
  for (let i = 0; i < 8; i++) {
    let j = i;
    while (j < 8 && groups[j] === "0") j++;
    if (j - i > bestLen) [best, bestLen] = [i, j - i];
  }
  if (best < 0) return groups.join(":");
  return `${groups.slice(0, best).join(":")}::${groups.slice(best + bestLen).join(":")}`;
}

function classify(ip: Ip, list: { cidr: Cidr; label: string }[]): string | null {
  for (const f of forms(ip)) for (const r of list) if (contains(r.cidr, f)) return r.label;
  return null;
}

// ---------- policy ----------

const LABEL = "[a-z0-9_]([a-z0-9_-]{0,61}[a-z0-9_])?";
const HOSTNAME_RE = new RegExp(`^(?=.{1,253}$)${LABEL}(\\.${LABEL})*$`);

function normalizeHost(host: string): string {
  let h = host.trim().toLowerCase();
  if (h.startsWith("[") && h.endsWith("]")) h = h.slice(1, -1);
  return h.endsWith(".") ? h.slice(0, -1) : h;
}

function parseName(entry: string): string | null {
  const h = normalizeHost(entry);
  if (!HOSTNAME_RE.test(h)) return null;
  // "10.0.0" or "host.123" would be read as an IPv4 address by the URL parser, never as a name.
  if (/^\d+$/.test(h.slice(h.lastIndexOf(".") + 1))) return null;
  return h;
}

function urlHostHint(url: string): string {
  try {
    return ` (${new URL(url).hostname})`;
  } catch {
    return "";
  }
}

/**
 * Parses BURNRATE_OUTBOUND_ALLOW. Empty means the default policy. Throws an Error naming the
 * first bad entry.
 */
export function parseOutboundPolicy(text: string | undefined): OutboundPolicy {
  const entries = (text ?? "").split(",").map((e) => e.trim()).filter(Boolean);
  if (entries.length === 0) return { mode: "default" };
  if (entries.length === 1 && entries[0]?.toLowerCase() === "public") return { mode: "public" };
  const policy = { mode: "allow" as const, names: [] as string[], suffixes: [] as string[], cidrs: [] as AllowCidr[] };
  for (const entry of entries) {
    if (entry.toLowerCase() === "public") throw new Error(`"public" cannot be combined with other entries; use either "public" or a list of hosts and CIDRs`);
    if (entry.includes("://")) throw new Error(`"${entry}" is a URL; list only its hostname${urlHostHint(entry)}`);
    if (entry.includes("/") || isIpAddress(entry)) {
      const cidr = parseCidr(entry);
      if (!cidr) throw new Error(`"${entry}" is not a valid CIDR (e.g. 10.0.0.0/8 or fd00::/8)`);
      const linkLocal = LINK_LOCAL_RANGES.some((r) => r.cidr.v === cidr.v && cidr.prefix >= r.cidr.prefix && contains(r.cidr, cidr));
      policy.cidrs.push({ ...cidr, entry, linkLocal });
    } else if (entry.startsWith("*.")) {
      const name = parseName(entry.slice(2));
      if (!name) throw new Error(`"${entry}" is not a valid wildcard (use *.example.com)`);
      policy.suffixes.push(`.${name}`);
    } else {
      const name = parseName(entry);
      if (!name) throw new Error(`"${entry}" is not a hostname, *.example.com wildcard or CIDR (no scheme, port or path)`);
      policy.names.push(name);
    }
  }
  return policy;
}

/**
 * Decides whether a host may be contacted. `resolvedAddresses` are the hostname's DNS answers
 * (ignored for IP literals). An empty list means the name did not resolve (no such name, no
 * A/AAAA record, resolver error or timeout; a successful lookup always has an address): the
 * default policy lets it through (the target may simply not exist yet), "public" refuses it, and
 * an allow-list refuses it unless the name itself is listed (by name or wildcard). Such refusals
 * carry `unresolved: true` and a reason that is a complete sentence naming the host.
 */
export function checkHost(policy: OutboundPolicy, hostname: string, resolvedAddresses: string[]): HostCheck {
  const host = normalizeHost(hostname);
  const literal = parseIp(host);
  const addrs: Ip[] = [];
  if (literal) addrs.push(literal);
  else {
    for (const a of resolvedAddresses) {
      const ip = parseIp(a);
      if (!ip) return { ok: false, reason: `resolves to "${a}", which is not an IP address` };
      addrs.push(ip);
    }
  }
  const at = (ip: Ip, what: string) => (literal ? what : `resolves to ${formatIp(ip)}, ${/^[aeiou]/.test(what) ? "an" : "a"} ${what}`);
  const allow = policy.mode === "allow" ? policy : null;

  if (METADATA_HOSTS.has(host) && !allow?.names.includes(host)) return { ok: false, reason: "cloud metadata hostname" };
  for (const ip of addrs) {
    const label = classify(ip, LINK_LOCAL_RANGES);
    if (label && !allow?.cidrs.some((c) => c.linkLocal && forms(ip).some((f) => contains(c, f)))) return { ok: false, reason: at(ip, label) };
  }

  if (policy.mode === "default") return { ok: true };

  if (policy.mode === "public") {
    if (host === "localhost" || host.endsWith(".localhost")) return { ok: false, reason: "loopback hostname" };
    if (addrs.length === 0) return { ok: false, reason: `could not resolve ${host}; refused under BURNRATE_OUTBOUND_ALLOW=public`, unresolved: true };
    for (const ip of addrs) {
      const label = classify(ip, NON_PUBLIC_RANGES);
      if (label) return { ok: false, reason: at(ip, label) };
    }
    return { ok: true };
  }

  if (!literal && (policy.names.includes(host) || policy.suffixes.some((s) => host.endsWith(s)))) return { ok: true };
  if (addrs.length === 0) return { ok: false, reason: `could not resolve ${host}; refused under BURNRATE_OUTBOUND_ALLOW, which does not list the name`, unresolved: true };
  for (const ip of addrs) {
    if (!policy.cidrs.some((c) => forms(ip).some((f) => contains(c, f)))) return { ok: false, reason: literal ? "not in the allow-list" : `resolves to ${formatIp(ip)}, which is not in the allow-list` };
  }
  return { ok: true };
}

/** Whether `cidr` is a valid CIDR or IP address (an address is its own /32 or /128). */
export function isCidr(cidr: string): boolean {
  return parseCidr(cidr.includes("/") ? cidr : `${cidr}/${cidr.includes(":") ? 128 : 32}`) !== null;
}

/** Whether the IP address `ip` is inside `cidr` (IPv4-mapped IPv6 addresses count as IPv4). */
export function ipInCidr(ip: string, cidr: string): boolean {
  const c = parseCidr(cidr.includes("/") ? cidr : `${cidr}/${cidr.includes(":") ? 128 : 32}`);
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(ip.trim());
  const a = parseIp(mapped?.[1] ?? ip.trim());
  return !!c && !!a && contains(c, a);
}
