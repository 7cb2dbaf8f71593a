import { describe, expect, it } from "vitest";
import {
  admitSli,
  admitSlo,
  admitSloBundle,
  alertBurnWindows,
  checkPromql,
  goldenSignalTemplate,
  scaledWorkbookWindows,
  type SloSpecInput,
} from "../src/index";
import { caseNames, loadCase } from "./support/cases";

const base: SloSpecInput = {
  slug: "checkout-availability",
  name: "Checkout availability",
  service: "checkout",
  objective: 99.9,
  window: "30d",
  sli: { kind: "availability", metric: "http_requests_total", matchers: [{ label: "job", op: "=", value: "checkout" }], errorMatchers: [{ label: "code", op: "=~", value: "5.." }] },
};

function refusal(input: unknown): Record<string, string> {
  const r = admitSlo(input);
  expect(r.ok, JSON.stringify(r)).toBe(false);
  return r.ok ? {} : Object.fromEntries(r.errors.map((e) => [e.field, e.message]));
}

const win = (w: Partial<{ severity: "page" | "ticket"; longWindow: string; shortWindow: string; burnRate: number; for: string }>) => ({
  severity: "page" as const, longWindow: "1h", shortWindow: "5m", burnRate: 14.4, for: "2m", ...w,
});
const withWindows = (windows: unknown[], extra: Partial<SloSpecInput> = {}) => ({ ...base, ...extra, alerting: { windows } });

describe("admission gate: SLOs", () => {
  it("admits the base spec without warnings", () => {
    expect(admitSlo(base)).toMatchObject({ ok: true, warnings: [] });
  });

  it("refuses regexes Go refuses, naming the matcher", () => {
    const f = refusal({ ...base, sli: { ...base.sli, errorMatchers: [{ label: "code", op: "=~", value: "5(?=0)." }] } });
    expect(f["sli.errorMatchers.0.value"]).toMatch(/not a regular expression Prometheus accepts: invalid or unsupported Perl syntax/);
    const g = refusal({ ...base, sli: { ...base.sli, matchers: [{ label: "job", op: "!~", value: "a{1001}" }] } });
    expect(g["sli.matchers.0.value"]).toMatch(/invalid repeat count/);
  });

  it("admits Go syntax JavaScript lacks", () => {
    for (const value of ["(?i)checkout", "\\pL+", "[[:alpha:]]+", "x\\z", "(?P<code>5..)"]) {
      expect(admitSlo({ ...base, sli: { ...base.sli, matchers: [{ label: "job", op: "=~", value }] } }).ok, value).toBe(true);
    }
  });

  it("refuses reserved labels", () => {
    for (const name of ["severity", "team", "slo", "burn_tier"]) {
      expect(refusal({ ...base, labels: { [name]: "x" } })[`labels.${name}`]).toMatch(/set by Burnrate/);
    }
  });

  it("checks custom windows against each other, the period and the objective", () => {
    expect(refusal(withWindows([win({ shortWindow: "1h" })]))["alerting.windows.0.shortWindow"]).toMatch(/shorter than the long window/);
    expect(refusal(withWindows([win({ longWindow: "2h", shortWindow: "3h" })]))["alerting.windows.0.shortWindow"]).toMatch(/shorter/);
    expect(refusal(withWindows([win({ longWindow: "8d", shortWindow: "1h", burnRate: 1 })], { window: "7d" }))["alerting.windows.0.longWindow"]).toMatch(/longer than the SLO period \(7d\)/);
    expect(refusal(withWindows([win({ for: "1h" })]))["alerting.windows.0.for"]).toMatch(/shorter than the long window/);
    expect(refusal(withWindows([win({}), win({})]))["alerting.windows.1.longWindow"]).toMatch(/already uses page 1h\/5m/);
    expect(refusal(withWindows([win({ burnRate: 1000 })]))["alerting.windows.0.burnRate"]).toMatch(/can never fire: 1000× the 0.1% error budget/);
    expect(refusal(withWindows([win({ burnRate: 14.4 })], { objective: 90 }))["alerting.windows.0.burnRate"]).toMatch(/below 10/);
    expect(refusal(withWindows([win({ longWindow: "30m1h" })]))["alerting.windows.0.longWindow"]).toMatch(/largest to smallest/);
    expect(refusal(withWindows([win({ shortWindow: "30s" })]))["alerting.windows.0.shortWindow"]).toMatch(/at least 1m/);
    expect(refusal(withWindows([win({ longWindow: "1500ms" })]))["alerting.windows.0.longWindow"]).toMatch(/whole number of seconds/);
    expect(admitSlo(withWindows([win({}), win({ severity: "ticket", longWindow: "1d", shortWindow: "2h", burnRate: 3, for: "1h" })])).ok).toBe(true);
  });

  it("leaves out default tiers that cannot fire at a low objective, with a warning", () => {
    // 14.4 × 7% = 1.008 ≥ 1: the fast page can never fire at 93%; 6× still can.
    const r = admitSlo({ ...base, objective: 93 });
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.warnings).toHaveLength(1);
    expect(r.warnings[0]?.message).toMatch(/14.4× over 1h can never fire at 93%/);
    expect(alertBurnWindows(r.value).map((w) => w.burnRate)).toEqual([6, 3, 1]);
    const ok = admitSlo({ ...base, objective: 93.07 });
    expect(ok.ok && ok.warnings).toEqual([]);
    expect(ok.ok && alertBurnWindows(ok.value).map((w) => w.burnRate)).toEqual([14.4, 6, 3, 1]);
  });

  it("scaled default windows keep short < long and for < long for every period from 1 day to 90 days", () => {
    for (let period = 86400; period <= 90 * 86400; period += 3600) {
      for (const w of scaledWorkbookWindows(period)) {
        expect(w.shortSeconds, `${period}s ${w.tier}`).toBeLessThan(w.longSeconds);
        expect(w.forSeconds, `${period}s ${w.tier}`).toBeLessThan(w.longSeconds);
        expect(w.longSeconds).toBeLessThanOrEqual(period);
      }
    }
  });

  it("refuses lone surrogates anywhere", () => {
    expect(refusal({ ...base, name: "bad \ud800" }).name).toMatch(/invalid Unicode/);
  });

  it("maps zod errors to dotted field paths", () => {
    expect(refusal({ ...base, objective: 100 }).objective).toMatch(/less than 100/);
    expect(refusal({ ...base, sli: { ...base.sli, metric: "1bad" } })["sli.metric"]).toMatch(/metric name/);
  });
});

describe("admission gate: SLIs and PromQL", () => {
  const custom = (q: Record<string, string>) => ({ kind: "custom", totalQuery: "sum(rate(http_requests_total[{{.window}}]))", ...q });
  const sliErrors = (spec: unknown) => {
    const r = admitSli(spec);
    return r.ok ? {} : Object.fromEntries(r.errors.map((e) => [e.field, e.message]));
  };

  it("refuses PromQL string escapes Prometheus's lexer refuses before any regex", () => {
    expect(sliErrors(custom({ errorQuery: 'sum(rate(http_requests_total{code=~"5\\d\\d"}[{{.window}}]))' })).errorQuery).toMatch(/unknown escape sequence U\+0064 'd'/);
  });

  it("refuses a range function over an instant vector and an aggregation over a range", () => {
    expect(sliErrors(custom({ errorQuery: 'sum(rate(errors_total{w="{{.window}}"}))' })).errorQuery).toMatch(/expected type range vector in call to function "rate", got instant vector/);
    expect(sliErrors(custom({ errorQuery: "sum(errors_total[{{.window}}])" })).errorQuery).toMatch(/expected type instant vector in aggregation "sum"/);
  });

  it("requires {{.window}} where a range goes", () => {
    expect(sliErrors(custom({ errorQuery: 'sum(rate(errors_total{w="{{.window}}"}[5m]))' })).errorQuery).toMatch(/must stand for a range/);
    expect(sliErrors(custom({ errorQuery: "sum(rate(errors_total[5m]))" })).errorQuery).toMatch(/must contain \{\{\.window\}\}/);
    expect(admitSli(custom({ errorQuery: "sum(rate(errors_total[{{ .window }}]))" })).ok).toBe(true);
  });

  it("requires saturation queries to return one series", () => {
    expect(sliErrors({ kind: "saturation", query: "container_memory_usage_bytes", threshold: 0.9 }).query).toMatch(/single series/);
    expect(admitSli({ kind: "saturation", query: "max(container_memory_usage_bytes)", threshold: 0.9 }).ok).toBe(true);
    expect(sliErrors({ kind: "saturation", query: "max by (pod) (container_memory_usage_bytes)", threshold: 0.9 }).query).toMatch(/single series/);
  });

  it("admits every golden-signal template and every test fixture", () => {
    for (const s of ["errors", "latency", "traffic", "saturation"] as const) {
      expect(admitSli(goldenSignalTemplate(s, { metric: "http_requests_total", matchers: [{ label: "job", op: "=~", value: "api|web" }] })).ok, s).toBe(true);
    }
    for (const n of caseNames()) {
      for (const b of loadCase(n).bundles) {
        const r = admitSloBundle(b);
        expect(r.ok, `${n}/${b.slo.slug}: ${JSON.stringify(r)}`).toBe(true);
      }
    }
  });

  it("refuses syntax newer than Prometheus 2.42", () => {
    expect(checkPromql('x{"a"="b"}')?.message).toMatch(/Prometheus 3/);
    expect(checkPromql("sort_by_label(x)")?.message).toMatch(/not supported by Prometheus 2.42/);
    expect(checkPromql("rate(x[5m+1m])")?.message).toMatch(/not a duration/);
  });
});
