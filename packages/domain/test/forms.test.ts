import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { SliResourceSchema, SloResourceSchema, SlugSchema, closestNames, editDistance, fieldErrors, slugFromName } from "../src";

describe("slugFromName", () => {
  it("derives readable slugs", () => {
    expect(slugFromName("Checkout API (EU)")).toBe("checkout-api-eu");
    expect(slugFromName("  Café — Crème brûlée  ")).toBe("cafe-creme-brulee");
    expect(slugFromName("p99 < 300ms")).toBe("p99-300ms");
    expect(slugFromName("!!!")).toBe("");
  });

  it("is always a valid slug or too short to be one, for any name", () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 300 }), (name) => {
        const slug = slugFromName(name);
        if (slug.length >= 2) expect(SlugSchema.safeParse(slug).success, JSON.stringify({ name, slug })).toBe(true);
        else expect(slug).toMatch(/^[a-z0-9]?$/);
        expect(slugFromName(slug)).toBe(slug);
      }),
      { numRuns: 500 },
    );
  });
});

describe("empty references", () => {
  it("an empty service or SLI reads 'choose a …', not a slug-length rule", () => {
    const sli = SliResourceSchema.safeParse({ slug: "errors", name: "Errors", service: "", spec: { kind: "availability", metric: "http_requests_total", matchers: [], errorMatchers: [{ label: "code", op: "=~", value: "5.." }] } });
    expect(sli.success).toBe(false);
    expect(fieldErrors(sli.error!).service).toBe("choose a service");
    const slo = SloResourceSchema.safeParse({ slug: "x-slo", name: "X", service: "", sli: "", objective: 99.9 });
    expect(slo.success).toBe(false);
    const fe = fieldErrors(slo.error!);
    expect(fe.service).toBe("choose a service");
    expect(fe.sli).toBe("choose an SLI");
  });

  it("a one-letter reference still gets the length rule", () => {
    const slo = SloResourceSchema.safeParse({ slug: "x-slo", name: "X", service: "a", sli: "b", objective: 99.9 });
    expect(fieldErrors(slo.error!).service).toBe("must be at least 2 characters");
  });
});

describe("closestNames", () => {
  const known = ["http_requests_total", "http_request_duration_seconds_bucket", "http_request_duration_seconds_count", "process_resident_memory_bytes", "up"];
  it("suggests the metric a typo meant", () => {
    expect(closestNames("http_requests_totl", known)[0]).toBe("http_requests_total");
    expect(closestNames("htpt_requests_total", known)[0]).toBe("http_requests_total");
    expect(closestNames("http_request_duration_seconds", known)).toContain("http_request_duration_seconds_bucket");
    expect(closestNames("kafka_lag", known)).toEqual([]);
  });
  it("editDistance is a metric on strings (symmetric, zero only for equal strings)", () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 20 }), fc.string({ maxLength: 20 }), (a, b) => {
        expect(editDistance(a, b)).toBe(editDistance(b, a));
        expect(editDistance(a, b) === 0).toBe(a === b);
        expect(editDistance(a, b)).toBeLessThanOrEqual(Math.max(a.length, b.length));
      }),
    );
  });
});
