export type { ImportIssue, ImportResult } from "./result";
export { parseSelector, renderSelector, type ParsedSelector } from "./selector";
export * from "./kubernetes";
export * from "./openslo";
export * from "./sloth";
export * from "./yaml-input";
