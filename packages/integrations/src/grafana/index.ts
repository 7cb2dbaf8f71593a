export * from "./client";
export { UpstreamError as GrafanaUpstreamError, type UpstreamErrorKind as GrafanaUpstreamErrorKind } from "./upstream";
