export * from "./model";
export * from "./builder";
export * from "./slo";
export * from "./golden";
export * from "./dora";
export * from "./promql";
