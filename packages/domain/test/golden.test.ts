import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { caseNames, caseOutputs, loadCase } from "./support/cases";

const UPDATE = process.env.UPDATE_GOLDEN === "1";

describe("golden files (testdata/<case>/; refresh with UPDATE_GOLDEN=1)", () => {
  const names = caseNames();

  it("has every required case", () => {
    for (const n of ["availability-30d", "latency-28d", "availability-7d", "calendar-month", "custom-min-events", "no-alerts", "extra-labels", "hostile-text"]) {
      expect(names).toContain(n);
    }
  });

  for (const name of names) {
    it(`${name}: generated outputs match the golden files`, () => {
      const c = loadCase(name);
      const outputs = caseOutputs(c);
      for (const [file, content] of Object.entries(outputs)) {
        const path = join(c.dir, file);
        if (UPDATE) writeFileSync(path, content);
        expect(existsSync(path), `${name}/${file} is missing; run with UPDATE_GOLDEN=1`).toBe(true);
        expect(content, `${name}/${file} differs from the golden file`).toBe(readFileSync(path, "utf8"));
      }
    });
  }
});
