export * from "./gate";
export { goRegexpError, goRegexpSyntaxError, parseGoVersion, OLDEST_GO_VERSION, type GoVersion } from "./goregexp";
export { checkPromql, unquotePromqlString, type PromqlProblem, type PromqlCheckOptions } from "./promql";
