export * from "./series";
export * from "./exposition";
export * from "./openmetrics";
