import { describe, expect, it } from "vitest";
import { defaultPolicySteps } from "../src/spec/policy";
import { evaluatePolicy, nearestWindow } from "../src/policy-eval";

const steps = defaultPolicySteps();

describe("evaluatePolicy with the workbook default policy", () => {
  it("an exhausted budget freezes features even while burning fast", () => {
    expect(evaluatePolicy(steps, { burnRates: { "1h": 20 }, budgetRemaining: -0.2 }).state).toBe("feature_freeze");
  });
  it("a fast burn with budget left is incident response, with the reason", () => {
    const s = evaluatePolicy(steps, { burnRates: { "1h": 20, "6h": 3 }, budgetRemaining: 0.6 });
    expect(s.state).toBe("incident_response");
    expect(s.reason).toContain("1h is 20.00×");
  });
  it("a slow burn over 3d asks for a reliability sprint", () => {
    expect(evaluatePolicy(steps, { burnRates: { "1h": 1.2, "6h": 1.5, "3d": 1.4 }, budgetRemaining: 0.7 }).state).toBe("reliability_sprint");
  });
  it("burn 0.9 everywhere with plenty of budget is ok", () => {
    expect(evaluatePolicy(steps, { burnRates: { "1h": 0.9, "6h": 0.9, "3d": 0.9 }, budgetRemaining: 0.9 })).toEqual({ state: "ok", reason: "within policy", step: null });
  });
  it("no data is ok, never a false freeze", () => {
    expect(evaluatePolicy(steps, { burnRates: {}, budgetRemaining: null }).state).toBe("ok");
  });
});

describe("nearestWindow", () => {
  it("maps a policy's 1h to the scaled 56m window of a 28d SLO", () => {
    expect(nearestWindow("1h", ["5m", "28m", "56m", "5h36m"])).toBe("56m");
  });
  it("refuses windows more than 2x away", () => {
    expect(nearestWindow("3d", ["5m", "1h"])).toBeNull();
  });
});
