import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import {
  META_RULE_FILE,
  massDeletion,
  checkSloBundle,
  generateCatalogueRuleFiles,
  generateCatalogueRuleGroups,
  generateRuleFiles,
  metaRuleSet,
  renderRuleFile,
  type SloBundle,
} from "../src/index";
import { caseNames, loadCase } from "./support/cases";
import { PROMTOOL, requireTool, run } from "./support/tools";

const good = loadCase(caseNames()[0] as string);
const opts = good.options;

/** A bundle the generator refuses: a reserved label, as a row stored by an older version could carry. */
function reservedLabel(b: SloBundle, slug: string): SloBundle {
  return { ...b, slo: { ...b.slo, slug, labels: { ...b.slo.labels, severity: "page" } } };
}

describe("catalogue generation fails per SLO", () => {
  it("gives the same files as generateRuleFiles when every SLO is valid", () => {
    const r = generateCatalogueRuleFiles(good.bundles, opts);
    expect(r.failures).toEqual([]);
    expect(r.files).toEqual(generateRuleFiles(good.bundles, opts));
  });

  it("reports a refused SLO with its field and still generates every other SLO byte for byte", () => {
    const bad = reservedLabel(good.bundles[0] as SloBundle, "zz-old-row");
    const all = [...good.bundles, bad];
    expect(() => generateRuleFiles(all, opts)).toThrow(/labels\.severity/);
    const r = generateCatalogueRuleFiles(all, opts);
    expect(r.failures).toEqual([
      { slo: "zz-old-row", team: bad.team.slug, service: bad.service.slug, path: "slo-zz-old-row.yml", field: "labels.severity", reason: expect.stringContaining("set by Burnrate") },
    ]);
    expect(r.files).toEqual(generateRuleFiles(good.bundles, opts));
  });

  it("a failure in the middle of a batch leaves the other files intact (no partial text leaks)", () => {
    const bundles = good.bundles.flatMap((b, i) => [b, { ...b, slo: { ...b.slo, slug: `${b.slo.slug}-x${i}` } }]);
    const boom = (b: SloBundle) => (b.slo.slug.endsWith("-x0") ? { field: "sli", reason: "refused" } : null);
    const r = generateCatalogueRuleFiles(bundles, opts, boom);
    expect(r.failures.map((f) => f.slo)).toEqual([`${(good.bundles[0] as SloBundle).slo.slug}-x0`]);
    const expected = generateRuleFiles(bundles.filter((b) => !boom(b)), opts);
    expect(r.files).toEqual(expected);
  });

  it("a second SLO with the same slug is the failure, not the catalogue", () => {
    const b = good.bundles[0] as SloBundle;
    const r = generateCatalogueRuleFiles([b, b], opts);
    expect(r.failures).toHaveLength(1);
    expect(r.failures[0]?.field).toBe("slug");
    expect(r.files.filter((f) => f.path === `slo-${b.slo.slug}.yml`)).toHaveLength(1);
  });

  it("group sets (Mimir) fail per SLO the same way", () => {
    const bad = reservedLabel(good.bundles[0] as SloBundle, "zz-old-row");
    const r = generateCatalogueRuleGroups([...good.bundles, bad], opts);
    expect(r.failures.map((f) => [f.slo, f.field])).toEqual([["zz-old-row", "labels.severity"]]);
    expect(r.sets.filter((s) => s.slo !== null).map((s) => s.slo)).toEqual(good.bundles.map((b) => b.slo.slug).sort());
  });

  it("checkSloBundle names the field relative to the SLO", () => {
    expect(checkSloBundle(good.bundles[0] as SloBundle)).toBeNull();
    expect(checkSloBundle(reservedLabel(good.bundles[0] as SloBundle, "x"))).toEqual({ field: "labels.severity", reason: expect.stringContaining("severity") });
  });
});

describe("meta-alert rules", () => {
  it("are added only when configured, and promtool accepts them", async () => {
    requireTool(PROMTOOL);
    expect(generateCatalogueRuleFiles(good.bundles, opts).files.map((f) => f.path)).not.toContain(META_RULE_FILE);
    const r = generateCatalogueRuleFiles(good.bundles, { ...opts, meta: { pushFailingFor: "5s", notDeployedFor: "5s", stalledAfterSeconds: 30, interval: "1s" } });
    const meta = r.files.find((f) => f.path === META_RULE_FILE);
    expect(meta?.content).toContain("for: 5s");
    const dir = mkdtempSync(join(tmpdir(), "burnrate-meta-"));
    writeFileSync(join(dir, META_RULE_FILE), meta?.content ?? "");
    const res = await run(PROMTOOL, ["check", "rules", join(dir, META_RULE_FILE)]);
    expect(res.code, res.stdout + res.stderr).toBe(0);
    expect(res.stdout).toContain("4 rules found");
  });

  it("route admin alerts and the watchdog apart, and the watchdog has no pager severity", () => {
    const rules = metaRuleSet().groups[0]?.rules ?? [];
    const byName = Object.fromEntries(rules.map((x) => ["alert" in x ? x.alert : x.record, x.labels]));
    expect(byName.BurnrateWatchdog).toEqual({ burnrate_meta: "watchdog", severity: "none" });
    for (const n of ["BurnratePushFailing", "BurnrateSloNotDeployed", "BurnrateReconcilerStalled"]) expect(byName[n]?.burnrate_meta).toBe("admin");
    expect(renderRuleFile(metaRuleSet().groups, "t")).toContain("for: 10m");
  });
});

describe("mass-deletion guard", () => {
  it("holds a push that removes every live SLO, whatever the share", () => {
    expect(massDeletion(["a"], [], 0.9)).toEqual({ removed: ["a"], live: 1 });
    expect(massDeletion(["a", "b", "c"], ["x"], 1)).toEqual({ removed: ["a", "b", "c"], live: 3 });
  });
  it("holds above the share and lets through at or below it", () => {
    expect(massDeletion(["a", "b", "c", "d"], ["a", "b"], 0.5)).toBeNull();
    expect(massDeletion(["a", "b", "c", "d"], ["a"], 0.5)).toEqual({ removed: ["b", "c", "d"], live: 4 });
    expect(massDeletion(["a", "b"], ["a", "b", "new"], 0)).toBeNull();
    expect(massDeletion([], [], 0)).toBeNull();
  });
});
