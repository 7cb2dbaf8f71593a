import { readdirSync, readFileSync, statSync } from "node:fs";
import { dirname, join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { admitDemoCatalogue } from "../src/seed";

/**
 * "What Burnrate accepts, it deploys" needs one write path: rows of the catalogue tables that the
 * generator reads (services, SLIs, SLOs, policies) are written only by the catalogue service of the
 * web app, which runs the admission gate, and by the demo seed, which runs it too. Any other
 * writer (a new route, importer or script) fails this test until it goes through them.
 */
const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..", "..", "..");
const ALLOWED = new Set([
  "apps/web/src/server/services/catalog.ts",
  // The demo seed and the benchmark's bulk insert of synthetic SLOs run the gate themselves.
  "packages/db/src/seed.ts",
  "scripts/bench-support.mts",
]);
const WRITE = /\.(slo|sli|service|errorBudgetPolicy)\s*\.\s*(create|createMany|createManyAndReturn|update|updateMany|updateManyAndReturn|upsert)\s*\(/;
const RAW = /\b(insert\s+into|update)\s+"?(Slo|Sli|Service|ErrorBudgetPolicy)"?\b/i;

function sources(dir: string, out: string[] = []): string[] {
  for (const name of readdirSync(dir)) {
    if (name === "node_modules" || name === "generated" || name.startsWith(".") || name === "dist") continue;
    const p = join(dir, name);
    if (statSync(p).isDirectory()) sources(p, out);
    else if (/\.(ts|tsx|mts|mjs|js)$/.test(name)) out.push(p);
  }
  return out;
}

describe("catalogue writes go through the admission gate", () => {
  it("only the catalogue service and the seed write services, SLIs, SLOs and policies", () => {
    const files = ["apps", "packages", "scripts"].flatMap((d) => sources(join(ROOT, d)));
    expect(files.length).toBeGreaterThan(100);
    const writers = files
      .map((f) => relative(ROOT, f))
      .filter((f) => !f.includes("/test/") && !f.includes("/e2e/") && !f.endsWith(".test.ts"))
      .filter((f) => {
        const text = readFileSync(join(ROOT, f), "utf8");
        return WRITE.test(text) || RAW.test(text);
      });
    expect(writers.sort()).toEqual([...ALLOWED].sort());
  });

  it("the pattern catches a direct write", () => {
    expect(WRITE.test("await tx.slo.create({ data })")).toBe(true);
    expect(WRITE.test("db().sli.upsert({")).toBe(true);
    expect(RAW.test('INSERT INTO "Slo" (id) VALUES ($1)')).toBe(true);
    expect(WRITE.test("db().slo.findMany({")).toBe(false);
  });

  it("the catalogue service runs the gate before each write and the seed's catalogue is admitted", () => {
    const catalog = readFileSync(join(ROOT, "apps/web/src/server/services/catalog.ts"), "utf8");
    for (const gate of ["admitService(", "admitSli(", "admitSloForSave(", "admitPolicy("]) expect(catalog).toContain(gate);
    expect(() => admitDemoCatalogue()).not.toThrow();
    expect(readFileSync(join(ROOT, "packages/db/src/seed.ts"), "utf8")).toMatch(/admitDemoCatalogue\(\);\n/);
    expect(readFileSync(join(ROOT, "scripts/bench-support.mts"), "utf8")).toContain("admitSlo(");
  });
});
