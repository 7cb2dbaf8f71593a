export * from "./types";
export * from "./coalescer";
export * from "./prometheus-file-pusher";
export * from "./alertmanager-file-pusher";
export * from "./yaml-equivalence";
export { atomicWrite } from "./fsutil";
export * from "./targets";
