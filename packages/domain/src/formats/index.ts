export * from "./result";
export * from "./selector";
export * from "./kubernetes";
export * from "./openslo";
export * from "./sloth";
