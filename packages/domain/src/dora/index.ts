export * from "./schemas";
export * from "./model";
export * from "./compute";
export * from "./bands";
export * from "./promql";
export * from "./budget";
export * from "./figures";
