export * from "./types";
export * from "./windows";
export * from "./render";
export { yamlScalar } from "./emit";
export * from "./names";
export * from "./generate";
export { infrastructureRuleSet } from "./infrastructure";
export * from "./meta";
export * from "./guard";
