import { copyFileSync, existsSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseAllDocuments, stringify } from "yaml";
import { describe, expect, it } from "vitest";
import { generateRuleFiles } from "../src/index";
import { caseNames, loadCase, TESTDATA } from "./support/cases";
import { PROMTOOL, requireTool, run } from "./support/tools";

const names = caseNames();

describe("promtool check rules", () => {
  it("promtool is installed", () => {
    expect(requireTool(PROMTOOL)).toBe(PROMTOOL);
  });

  it("accepts every golden rules.yaml", async () => {
    const files = names.map((n) => join(TESTDATA, n, "rules.yaml"));
    const r = await run(PROMTOOL, ["check", "rules", ...files]);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    for (const n of names) expect(r.stdout).toContain(`Checking ${join(TESTDATA, n, "rules.yaml")}`);
    expect(r.stdout.match(/SUCCESS/g)?.length).toBe(names.length);
  });

  it("accepts every file generateRuleFiles writes, one file per SLO plus infrastructure", async () => {
    const dir = mkdtempSync(join(tmpdir(), "burnrate-rules-"));
    const paths: string[] = [];
    for (const n of names) {
      const c = loadCase(n);
      const files = generateRuleFiles(c.bundles, c.options);
      expect(files.map((f) => f.path)).toEqual([...c.bundles.map((b) => `slo-${b.slo.slug}.yml`), "burnrate-infrastructure.yml"].sort());
      for (const f of files) {
        const p = join(dir, `${n}--${f.path}`);
        writeFileSync(p, f.content);
        paths.push(p);
      }
    }
    const r = await run(PROMTOOL, ["check", "rules", ...paths]);
    expect(r.code, r.stdout + r.stderr).toBe(0);
  });

  it("accepts the groups inside the PrometheusRule and Mimir goldens", async () => {
    const dir = mkdtempSync(join(tmpdir(), "burnrate-crd-"));
    const paths: string[] = [];
    for (const n of names) {
      for (const file of ["prometheusrule.yaml", "mimir.yaml"]) {
        parseAllDocuments(readFileSync(join(TESTDATA, n, file), "utf8")).forEach((d, i) => {
          const body = d.toJS() as { spec?: { groups: unknown[] }; groups?: unknown[] };
          const groups = body.spec?.groups ?? body.groups;
          expect(Array.isArray(groups)).toBe(true);
          const p = join(dir, `${n}-${file}-${i}.yml`);
          writeFileSync(p, stringify({ groups }));
          paths.push(p);
        });
      }
    }
    const r = await run(PROMTOOL, ["check", "rules", ...paths]);
    expect(r.code, r.stdout + r.stderr).toBe(0);
  });

  it("rejects a broken rule file (the check is not a no-op)", async () => {
    const dir = mkdtempSync(join(tmpdir(), "burnrate-bad-"));
    const good = readFileSync(join(TESTDATA, "availability-30d", "rules.yaml"), "utf8");
    const p = join(dir, "bad.yml");
    writeFileSync(p, good.replace("sum by (slo) (slo:sli_error:rate5m", "sum by (slo) (slo:sli_error:rate5m[")); // PromQL syntax error
    const r = await run(PROMTOOL, ["check", "rules", p]);
    expect(r.code).not.toBe(0);
    expect(r.stdout + r.stderr).toMatch(/parse error|unexpected/i);
  });
});

const unitFiles = names.flatMap((n) =>
  ["rules.test.yaml", "rules.slow.test.yaml"].filter((f) => existsSync(join(TESTDATA, n, f))).map((f) => ({ n, f })),
);

describe("promtool test rules (synthetic traffic at known burn rates)", () => {
  it("has unit tests for fast burn, slow burn, burn 0.9, low traffic and hostile text", () => {
    const all = unitFiles.map(({ n, f }) => readFileSync(join(TESTDATA, n, f), "utf8")).join("\n");
    for (const s of ["100% errors page", "Slow burn at 2x", "Burn rate 0.9 never alerts", "Low traffic below minEvents", "Hostile names render literally"]) {
      expect(all).toContain(s);
    }
  });

  it.concurrent.each(unitFiles)("$n/$f passes", async ({ n, f }) => {
    const r = await run(PROMTOOL, ["test", "rules", f], join(TESTDATA, n));
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(r.stdout).toContain("SUCCESS");
  });

  it("fails on a deliberately wrong expectation (mutated copy)", async () => {
    const dir = mkdtempSync(join(tmpdir(), "burnrate-mutated-"));
    const src = join(TESTDATA, "availability-30d");
    copyFileSync(join(src, "rules.yaml"), join(dir, "rules.yaml"));
    const text = readFileSync(join(src, "rules.test.yaml"), "utf8");
    // Claim the fast page fires with a different burn rate and as a ticket.
    const mutated = text.replace("Current 1h burn rate: 1000.00x.", "Current 1h burn rate: 999.00x.").replace("severity: page", "severity: ticket");
    expect(mutated).not.toBe(text);
    writeFileSync(join(dir, "rules.test.yaml"), mutated);
    const r = await run(PROMTOOL, ["test", "rules", "rules.test.yaml"], dir);
    expect(r.code).not.toBe(0);
    expect(r.stdout + r.stderr).toContain("FAILED");
    expect(r.stdout + r.stderr).toContain("999.00x");
  });

  it("fails when an alert is expected too early (timing is really asserted)", async () => {
    const dir = mkdtempSync(join(tmpdir(), "burnrate-early-"));
    const src = join(TESTDATA, "availability-30d");
    copyFileSync(join(src, "rules.yaml"), join(dir, "rules.yaml"));
    // The 2%-errors scenario must not page 40 minutes in; move its "fast page" expectation there.
    const text = readFileSync(join(src, "rules.test.yaml"), "utf8").replace("eval_time: 475m", "eval_time: 460m");
    writeFileSync(join(dir, "rules.test.yaml"), text);
    const r = await run(PROMTOOL, ["test", "rules", "rules.test.yaml"], dir);
    expect(r.code).not.toBe(0);
  });
});
