import { describe, expect, it } from "vitest";
import { checkHost, isIpAddress, parseOutboundPolicy, type HostCheck } from "../src/net/outbound";

const ok: HostCheck = { ok: true };
const check = (policy: string, host: string, resolved: string[] = []) => checkHost(parseOutboundPolicy(policy), host, resolved);
const reason = (r: HostCheck) => (r.ok ? "(allowed)" : r.reason);

describe("parseOutboundPolicy", () => {
  it("treats unset, empty and blank as the default policy", () => {
    expect(parseOutboundPolicy(undefined)).toEqual({ mode: "default" });
    expect(parseOutboundPolicy("")).toEqual({ mode: "default" });
    expect(parseOutboundPolicy(" , ")).toEqual({ mode: "default" });
  });
  it("recognises public in any case", () => {
    expect(parseOutboundPolicy(" Public ")).toEqual({ mode: "public" });
  });
  it("parses names, wildcards and CIDRs, ignoring blanks and a trailing comma", () => {
    const p = parseOutboundPolicy("Prom.Internal., *.example.com, 10.0.0.0/8, fd12::/16, 192.0.2.7, [2001:db8::1],");
    expect(p.mode).toBe("allow");
    if (p.mode !== "allow") return;
    expect(p.names).toEqual(["prom.internal"]);
    expect(p.suffixes).toEqual([".example.com"]);
    expect(p.cidrs.map((c) => [c.entry, c.prefix])).toEqual([["10.0.0.0/8", 8], ["fd12::/16", 16], ["192.0.2.7", 32], ["[2001:db8::1]", 128]]);
  });
  it.each([
    ["http://prom.internal:9090/x", /"http:\/\/prom.internal:9090\/x" is a URL; list only its hostname \(prom.internal\)/],
    ["prom.internal:9090", /"prom.internal:9090" is not a hostname/],
    ["10.0.0.0/33", /"10.0.0.0\/33" is not a valid CIDR/],
    ["fd00::/129", /"fd00::\/129" is not a valid CIDR/],
    ["10.0.0.256/8", /"10.0.0.256\/8" is not a valid CIDR/],
    ["10.0.0/8", /"10.0.0\/8" is not a valid CIDR/],
    ["010.0.0.1/32", /"010.0.0.1\/32" is not a valid CIDR/],
    ["1:2:3::4::5", /"1:2:3::4::5" is not a hostname/],
    ["*", /"\*" is not a hostname/],
    ["*.", /"\*\." is not a valid wildcard/],
    ["*.exa mple.com", /"\*.exa mple.com" is not a valid wildcard/],
    ["10.0.0", /"10.0.0" is not a hostname/],
    ["public,10.0.0.0/8", /"public" cannot be combined/],
  ])("refuses %s and names it", (text, message) => {
    expect(() => parseOutboundPolicy(text)).toThrow(message);
  });
  it("names the bad entry among good ones", () => {
    expect(() => parseOutboundPolicy("ok.example.com, bad_entry!, 10.0.0.0/8")).toThrow(/"bad_entry!"/);
  });
});

describe("isIpAddress", () => {
  it("accepts IPv4, IPv6 and bracketed IPv6 literals only", () => {
    for (const s of ["127.0.0.1", "::1", "[::1]", "::ffff:169.254.169.254", "fe80::1%eth0", "2001:db8::"]) expect(isIpAddress(s), s).toBe(true);
    for (const s of ["localhost", "1.2.3", "1.2.3.4.5", "256.1.1.1", "example.com", "1:2:3:4:5:6:7:8:9", ":::"]) expect(isIpAddress(s), s).toBe(false);
  });
});

describe("checkHost: default (unset)", () => {
  it("allows loopback, private and public hosts: a local Prometheus is the common case", () => {
    expect(check("", "127.0.0.1")).toEqual(ok);
    expect(check("", "[::1]")).toEqual(ok);
    expect(check("", "localhost", ["127.0.0.1", "::1"])).toEqual(ok);
    expect(check("", "prometheus", ["10.1.2.3"])).toEqual(ok);
    expect(check("", "grafana.example.com", ["93.184.216.34"])).toEqual(ok);
  });
  it("refuses cloud metadata and link-local addresses", () => {
    expect(check("", "169.254.169.254")).toEqual({ ok: false, reason: "cloud metadata address" });
    expect(check("", "169.254.1.1")).toEqual({ ok: false, reason: "link-local address" });
    expect(check("", "[fe80::1]")).toEqual({ ok: false, reason: "link-local address" });
    expect(check("", "[fd00:ec2::254]")).toEqual({ ok: false, reason: "cloud metadata address" });
  });
  it("refuses the metadata hostnames even when they do not resolve", () => {
    expect(check("", "metadata.google.internal")).toEqual({ ok: false, reason: "cloud metadata hostname" });
    expect(check("", "Metadata.Google.Internal.")).toEqual({ ok: false, reason: "cloud metadata hostname" });
    expect(check("", "metadata")).toEqual({ ok: false, reason: "cloud metadata hostname" });
  });
  it("refuses a name when any of its addresses is link-local (DNS rebinding, round robin)", () => {
    expect(check("", "evil.example", ["93.184.216.34", "169.254.169.254"])).toEqual({ ok: false, reason: "resolves to 169.254.169.254, a cloud metadata address" });
    expect(check("", "evil.example", ["fe80::1%eth0"])).toEqual({ ok: false, reason: "resolves to fe80::1, a link-local address" });
  });
  it("sees through IPv4-mapped and NAT64 IPv6 forms", () => {
    // The URL parser turns [::ffff:169.254.169.254] into [::ffff:a9fe:a9fe]; both must be refused.
    expect(reason(check("", "[::ffff:169.254.169.254]"))).toBe("cloud metadata address");
    expect(reason(check("", "[::ffff:a9fe:a9fe]"))).toBe("cloud metadata address");
    expect(reason(check("", "[64:ff9b::a9fe:a9fe]"))).toBe("cloud metadata address");
    expect(reason(check("", "evil.example", ["::ffff:169.254.0.9"]))).toBe("resolves to ::ffff:a9fe:9, a link-local address");
    expect(check("", "[::ffff:10.0.0.1]")).toEqual(ok);
  });
  it("sees through IPv4-compatible, NAT64 local-use and 6to4 forms", () => {
    // IPv4-compatible ::a.b.c.d (deprecated ::/96), as written and as the URL parser prints it.
    expect(reason(check("", "[::169.254.169.254]"))).toBe("cloud metadata address");
    expect(reason(check("", "[::a9fe:a9fe]"))).toBe("cloud metadata address");
    expect(reason(check("", "evil.example", ["::169.254.1.1"]))).toBe("resolves to ::a9fe:101, a link-local address");
    // NAT64 local-use prefix 64:ff9b:1::/48 (IPv4 in the last 32 bits).
    expect(reason(check("", "[64:ff9b:1::a9fe:a9fe]"))).toBe("cloud metadata address");
    expect(reason(check("", "[64:ff9b:1:ffff::169.254.0.1]"))).toBe("link-local address");
    // 6to4 2002::/16 carries the IPv4 address in bits 16-47.
    expect(reason(check("", "[2002:a9fe:a9fe::1]"))).toBe("cloud metadata address");
    expect(reason(check("", "evil.example", ["2002:a9fe:1::"]))).toBe("resolves to 2002:a9fe:1::, a link-local address");
    // Neighbours of those prefixes carry nothing.
    expect(check("", "[64:ff9b:2::a9fe:a9fe]")).toEqual(ok);
    expect(check("", "[2003:a9fe:a9fe::1]")).toEqual(ok);
    expect(check("", "[1::a9fe:a9fe]")).toEqual(ok);
  });
  it("does not block a name that does not resolve (yet): failing open is the default's contract", () => {
    expect(check("", "not-created-yet.internal", [])).toEqual(ok);
  });
  it("refuses resolver answers that are not addresses", () => {
    expect(reason(check("", "x.example", ["garbage"]))).toBe('resolves to "garbage", which is not an IP address');
  });
});

describe("checkHost: public", () => {
  it.each([
    ["127.0.0.1", "loopback address"],
    ["127.9.9.9", "loopback address"],
    ["[::1]", "loopback address"],
    ["0.0.0.0", "unspecified address"],
    ["[::]", "unspecified address"],
    ["10.0.0.1", "private address"],
    ["172.16.0.1", "private address"],
    ["172.31.255.255", "private address"],
    ["192.168.1.1", "private address"],
    ["100.64.0.1", "private address"],
    ["100.127.255.255", "private address"],
    ["[fc00::1]", "private address"],
    ["[fdff::1]", "private address"],
    ["[::ffff:127.0.0.1]", "loopback address"],
    ["[::ffff:c0a8:101]", "private address"],
    ["198.18.0.1", "benchmarking address"],
    ["198.19.255.255", "benchmarking address"],
    ["192.0.0.8", "IETF protocol address"],
    ["192.0.2.1", "documentation address"],
    ["198.51.100.7", "documentation address"],
    ["203.0.113.200", "documentation address"],
    ["[2001:db8::1]", "documentation address"],
    ["240.0.0.1", "reserved address"],
    ["255.255.255.254", "reserved address"],
    ["255.255.255.255", "broadcast address"],
    // IPv4 embedded in IPv6: IPv4-compatible, NAT64 (well-known and local-use), 6to4.
    ["[::127.0.0.1]", "loopback address"],
    ["[::a00:1]", "private address"],
    ["[64:ff9b::10.1.2.3]", "private address"],
    ["[64:ff9b:1::c0a8:1]", "private address"],
    ["[64:ff9b:1:abcd::127.0.0.1]", "loopback address"],
    ["[2002:c0a8:101::1]", "private address"],
    ["[2002:7f00:1:1::]", "loopback address"],
    ["[2002:c612:1::]", "benchmarking address"],
    ["169.254.169.254", "cloud metadata address"],
    ["[fd00:ec2::254]", "cloud metadata address"],
    ["[fe80::abcd]", "link-local address"],
  ])("refuses %s (%s)", (host, why) => {
    expect(check("public", host)).toEqual({ ok: false, reason: why });
  });
  it.each([
    "8.8.8.8", "172.15.255.255", "172.32.0.1", "100.63.255.255", "100.128.0.1", "11.0.0.1", "[2001:4860:4860::8888]", "[fe00::1]",
    "198.17.255.255", "198.20.0.0", "192.0.1.255", "192.0.3.0", "198.51.99.1", "203.0.114.1", "239.255.255.254", "[2001:db9::1]",
    "[::8.8.8.8]", "[64:ff9b:1::808:808]", "[2002:808:808::1]",
  ])("allows %s", (host) => {
    expect(check("public", host)).toEqual(ok);
  });
  it("checks every resolved address", () => {
    expect(check("public", "grafana.example.com", ["93.184.216.34", "2606:2800:220:1::1"])).toEqual(ok);
    expect(check("public", "rebind.example", ["93.184.216.34", "10.0.0.5"])).toEqual({ ok: false, reason: "resolves to 10.0.0.5, a private address" });
    expect(check("public", "rebind.example", ["::1"])).toEqual({ ok: false, reason: "resolves to ::1, a loopback address" });
    expect(check("public", "rebind.example", ["0.0.0.0"])).toEqual({ ok: false, reason: "resolves to 0.0.0.0, an unspecified address" });
  });
  it("refuses localhost names without DNS", () => {
    expect(check("public", "localhost")).toEqual({ ok: false, reason: "loopback hostname" });
    expect(check("public", "app.localhost")).toEqual({ ok: false, reason: "loopback hostname" });
  });
  it("refuses a name that does not resolve (or timed out): its addresses cannot be checked", () => {
    expect(check("public", "Later.Example.com.", [])).toEqual({ ok: false, reason: "could not resolve later.example.com; refused under BURNRATE_OUTBOUND_ALLOW=public", unresolved: true });
    expect(check("public", "metadata", [])).toEqual({ ok: false, reason: "cloud metadata hostname" });
  });
});

describe("checkHost: allow-list", () => {
  const list = "prom.internal, *.example.com, 10.20.0.0/16, fd12:3456::/32, 192.0.2.7";
  it("allows listed names whatever they resolve to, and even when they do not resolve", () => {
    expect(check(list, "prom.internal", ["172.16.0.4"])).toEqual(ok);
    expect(check(list, "PROM.internal.", [])).toEqual(ok);
  });
  it("matches wildcards on subdomains only", () => {
    expect(check(list, "grafana.example.com", ["203.0.113.9"])).toEqual(ok);
    expect(check(list, "a.b.example.com", [])).toEqual(ok);
    expect(check(list, "example.com", ["203.0.113.9"])).toEqual({ ok: false, reason: "resolves to 203.0.113.9, which is not in the allow-list" });
    expect(check(list, "evilexample.com", [])).toEqual({ ok: false, reason: "could not resolve evilexample.com; refused under BURNRATE_OUTBOUND_ALLOW, which does not list the name", unresolved: true });
  });
  it("allows addresses inside listed CIDRs, by literal or by resolution", () => {
    expect(check(list, "10.20.255.1")).toEqual(ok);
    expect(check(list, "192.0.2.7")).toEqual(ok);
    expect(check(list, "[fd12:3456:ffff::1]")).toEqual(ok);
    expect(check(list, "mimir.corp", ["10.20.1.1", "fd12:3456::9"])).toEqual(ok);
    expect(check(list, "[::ffff:10.20.0.1]")).toEqual(ok);
    expect(check(list, "[64:ff9b:1::10.20.0.1]")).toEqual(ok);
  });
  it("refuses everything else, including when only some addresses are listed", () => {
    expect(check(list, "10.21.0.1")).toEqual({ ok: false, reason: "not in the allow-list" });
    expect(check(list, "192.0.2.8")).toEqual({ ok: false, reason: "not in the allow-list" });
    expect(check(list, "127.0.0.1")).toEqual({ ok: false, reason: "not in the allow-list" });
    expect(check(list, "[fd12:3457::1]")).toEqual({ ok: false, reason: "not in the allow-list" });
    expect(check(list, "mixed.corp", ["10.20.1.1", "10.99.0.1"])).toEqual({ ok: false, reason: "resolves to 10.99.0.1, which is not in the allow-list" });
    expect(check(list, "[2002:a14:1::]")).toEqual(ok);
    expect(check(list, "[2002:a15:1::]")).toEqual({ ok: false, reason: "not in the allow-list" });
    expect(check(list, "unknown.corp", [])).toEqual({ ok: false, reason: "could not resolve unknown.corp; refused under BURNRATE_OUTBOUND_ALLOW, which does not list the name", unresolved: true });
  });
  it("masks host bits in CIDRs", () => {
    expect(check("10.1.2.3/8", "10.200.0.1")).toEqual(ok);
    expect(check("fd12::1/16", "[fd12:ffff::1]")).toEqual(ok);
    expect(check("0.0.0.0/0", "203.0.113.1")).toEqual(ok);
  });
  it("still refuses link-local and metadata for listed names and broad CIDRs", () => {
    expect(check(list, "prom.internal", ["169.254.169.254"])).toEqual({ ok: false, reason: "resolves to 169.254.169.254, a cloud metadata address" });
    expect(check(list, "x.example.com", ["fe80::1"])).toEqual({ ok: false, reason: "resolves to fe80::1, a link-local address" });
    expect(check("0.0.0.0/0", "169.254.169.254")).toEqual({ ok: false, reason: "cloud metadata address" });
    expect(check("::/0", "[fe80::1]")).toEqual({ ok: false, reason: "link-local address" });
    expect(check("*.internal", "metadata.google.internal")).toEqual({ ok: false, reason: "cloud metadata hostname" });
  });
  it("allows link-local only when a CIDR inside the link-local range lists it", () => {
    expect(check("169.254.10.0/24", "169.254.10.5")).toEqual(ok);
    expect(check("169.254.10.0/24", "169.254.169.254")).toEqual({ ok: false, reason: "cloud metadata address" });
    expect(check("169.254.169.254", "169.254.169.254")).toEqual(ok);
    expect(check("169.254.169.254", "[::ffff:a9fe:a9fe]")).toEqual(ok);
    expect(check("169.254.169.254", "[2002:a9fe:a9fe::]")).toEqual(ok);
    expect(check("10.0.0.0/8", "[2002:a9fe:a9fe::]")).toEqual({ ok: false, reason: "cloud metadata address" });
    expect(check("fe80::/64", "link.local", ["fe80::5"])).toEqual(ok);
    expect(check("metadata.google.internal, 169.254.169.254", "metadata.google.internal", ["169.254.169.254"])).toEqual(ok);
  });
});
