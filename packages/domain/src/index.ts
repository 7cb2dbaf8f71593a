export * from "./spec/common";
export * from "./spec/sli";
export * from "./spec/slo";
export * from "./spec/policy";
export * from "./spec/receiver";
export * from "./promql/validate";
export * from "./promql/escape";
export * from "./dashboards";
