import { describe, expect, it } from "vitest";
import { findPromqlSyntaxError, substituteWindowForValidation } from "../src/promql/validate";
import { SliSpecSchema } from "../src/spec/sli";

describe("PromQL validation positions", () => {
  it("window placeholders keep their length, so columns match the typed query", () => {
    expect(substituteWindowForValidation("rate(x[{{.window}}])")).toBe("rate(x[0000000005m])");
    expect(substituteWindowForValidation("rate(x[{{ .window }}])")).toHaveLength("rate(x[{{ .window }}])".length);
  });

  it("an error after a placeholder is reported at the column the user typed", () => {
    const q = "sum(rate(http_requests_total[{{.window}}])) +";
    const r = SliSpecSchema.safeParse({ kind: "custom", errorQuery: q, totalQuery: "sum(rate(http_requests_total[{{.window}}]))" });
    expect(r.success).toBe(false);
    const msg = r.success ? "" : (r.error.issues.find((i) => i.path[0] === "errorQuery")?.message ?? "");
    expect(msg).toContain(`column ${q.length + 1}`);
  });

  it("a stray token is located on the right line and column", () => {
    expect(findPromqlSyntaxError("sum(\n  rate(x[5m]) )) ")).toMatchObject({ line: 2, column: 16 });
  });

  it("valid expressions pass", () => {
    expect(findPromqlSyntaxError('sum by (code) (rate(http_requests_total{code=~"5.."}[5m]))')).toBeNull();
  });
});
