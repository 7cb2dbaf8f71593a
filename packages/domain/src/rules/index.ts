export * from "./types";
export * from "./windows";
export * from "./render";
export * from "./names";
export * from "./generate";
export { infrastructureRuleSet } from "./infrastructure";
