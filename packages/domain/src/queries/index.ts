export * from "./slo";
export * from "./figures";
export * from "./report";
