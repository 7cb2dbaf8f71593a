import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { notDeployedReason, upstreamText } from "~/server/http/upstream-text";
import { revisionOut, targetOut } from "~/server/services/targets";

// What Prometheus, Mimir or a proxy in front of them may echo in an error body.
const BODY = "open /etc/prometheus/rules/internal-db.yaml: permission denied\nhost=db-7.corp.internal token=abc\u001b[31m";
const FAILED = `push failed at reload: Prometheus reload failed (HTTP 500): ${BODY}`;
const viewer = { isAdmin: false };
const admin = { isAdmin: true };

const row = {
  id: "t1", name: "prom", kind: "prometheus", url: "http://prom:9090", mode: "file", settings: {}, enabled: true, status: "failing",
  statusMessage: FAILED, tokenCiphertext: "v1:secret", quarantine: [{ slo: "checkout", path: "checkout.yaml", stage: "load", reason: `Mimir ruler load failed for tenant "t" (HTTP 400, bad_data): ${BODY}`, since: "2028-01-01T00:00:00Z", hash: "h" }],
} as unknown as Parameters<typeof targetOut>[0];

describe("upstream error text", () => {
  it("a target's status and quarantine reasons carry no upstream body for non-administrators", () => {
    const out = targetOut(row, viewer);
    const text = JSON.stringify(out);
    expect(text).not.toContain("internal-db");
    expect(text).not.toContain("corp.internal");
    expect(out.statusMessage).toBe("push failed at reload: Prometheus reload failed (HTTP 500; the response is shown to administrators)");
    expect((out.quarantine as { reason: string }[])[0]?.reason).toBe('Mimir ruler load failed for tenant "t" (HTTP 400; the response is shown to administrators)');
    expect(out).not.toHaveProperty("tokenCiphertext");
  });

  it("administrators see the body, without control characters and truncated", () => {
    const out = targetOut({ ...row, statusMessage: FAILED + "x".repeat(5000) }, admin);
    expect(out.statusMessage).toContain("internal-db.yaml: permission denied\nhost=db-7");
    expect(out.statusMessage).not.toContain("\u001b");
    expect(out.statusMessage.length).toBeLessThanOrEqual(2000 + "… (truncated)".length);
    expect(out.statusMessage.endsWith("… (truncated)")).toBe(true);
  });

  it("revision errors and the not-deployed reason are mapped the same way", () => {
    const rev = revisionOut({ id: "r1", error: `Prometheus reload failed (HTTP 500): ${BODY}`, quarantined: row.quarantine }, viewer);
    expect(JSON.stringify(rev)).not.toContain("internal-db");
    expect(notDeployedReason({ stage: "load", reason: `Prometheus reload failed (HTTP 500): ${BODY}` }, viewer)).toBe("refused by the target at load: Prometheus reload failed (HTTP 500; the response is shown to administrators)");
    expect(notDeployedReason({ stage: "generate", reason: "objective: must be below 100" }, viewer)).toBe("refused by validation: objective: must be below 100");
  });

  it("Burnrate's own messages read the same for everyone (first line)", () => {
    expect(upstreamText("push failed: target unreachable: Prometheus unreachable at http://prom:9090: ECONNREFUSED", viewer)).toBe("push failed: target unreachable: Prometheus unreachable at http://prom:9090: ECONNREFUSED");
    expect(upstreamText("", viewer)).toBe("");
  });

  it("whatever the body, a non-administrator never sees it and the text stays short and printable", () => {
    fc.assert(
      fc.property(fc.string({ unit: "binary", minLength: 1, maxLength: 400 }), fc.integer({ min: 100, max: 599 }), (body, status) => {
        const marker = `\u0000BODY${body}`;
        const out = upstreamText(`push failed at load: Mimir ruler load failed (HTTP ${status}): ${marker}`, viewer);
        expect(out).toBe(`push failed at load: Mimir ruler load failed (HTTP ${status}; the response is shown to administrators)`);
        // eslint-disable-next-line no-control-regex
        expect(upstreamText(body, viewer)).not.toMatch(/[\u0000-\u0008\u000b-\u001f\u007f-\u009f\n]/);
        expect(upstreamText(body, viewer).length).toBeLessThanOrEqual(300 + "… (truncated)".length);
      }),
    );
  });
});
