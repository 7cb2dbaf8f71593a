import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { forwardedClientIp, parseTrustProxy, requestOrigin } from "../src/index";

/**
 * Trust in forwarding headers (security round 2, finding 5): without a configured proxy, a client
 * that varies X-Forwarded-For must not get a new identity (it used to bypass the per-IP login limit).
 */
const ipv4 = fc.ipV4();

describe("parseTrustProxy", () => {
  it("reads hops, CIDR lists and off", () => {
    expect(parseTrustProxy(undefined)).toEqual({ mode: "none" });
    expect(parseTrustProxy("0")).toEqual({ mode: "none" });
    expect(parseTrustProxy("2")).toEqual({ mode: "hops", hops: 2 });
    expect(parseTrustProxy("10.0.0.0/8, fd00::/8,127.0.0.1")).toEqual({ mode: "cidrs", cidrs: ["10.0.0.0/8", "fd00::/8", "127.0.0.1"] });
    expect(() => parseTrustProxy("proxy.internal")).toThrow("neither a number");
    expect(() => parseTrustProxy("99")).toThrow("implausible");
  });
});

describe("forwardedClientIp", () => {
  it("ignores whatever a client sends when no proxy is trusted", () => {
    fc.assert(
      fc.property(fc.array(ipv4, { maxLength: 5 }), (ips) => {
        expect(forwardedClientIp({ mode: "none" }, ips.join(", "))).toBeNull();
      }),
    );
  });

  it("with N hops, takes the address the outermost trusted proxy saw, whatever the client prepended", () => {
    fc.assert(
      fc.property(fc.array(fc.string(), { maxLength: 4 }), ipv4, ipv4, (spoofed, client, proxy2) => {
        const header = [...spoofed.map((s) => s.replace(/,/g, "")), client, proxy2].join(", ");
        expect(forwardedClientIp({ mode: "hops", hops: 2 }, header)).toBe(client);
      }),
    );
    expect(forwardedClientIp({ mode: "hops", hops: 2 }, "1.2.3.4")).toBeNull();
    expect(forwardedClientIp({ mode: "hops", hops: 1 }, "1.2.3.4, not-an-ip")).toBeNull();
  });

  it("with CIDRs, skips trusted proxies from the right", () => {
    const t = parseTrustProxy("10.0.0.0/8,::1");
    expect(forwardedClientIp(t, "6.6.6.6, 203.0.113.9, 10.1.2.3, 10.0.0.1")).toBe("203.0.113.9");
    expect(forwardedClientIp(t, "10.0.0.1")).toBeNull();
    expect(forwardedClientIp(t, "203.0.113.9, ::ffff:10.0.0.1")).toBe("203.0.113.9");
  });
});

describe("requestOrigin", () => {
  it("uses X-Forwarded-Host/Proto only behind a trusted proxy", () => {
    const h = { host: "burnrate.internal:3000", forwardedHost: "evil.example", forwardedProto: "https" };
    expect(requestOrigin({ mode: "none" }, h, "http")).toEqual({ host: "burnrate.internal:3000", proto: "http" });
    expect(requestOrigin({ mode: "hops", hops: 1 }, h, "http")).toEqual({ host: "evil.example", proto: "https" });
  });
});
