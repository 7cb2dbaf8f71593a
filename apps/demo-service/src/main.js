#!/usr/bin/env node
// Entry point: configuration comes from env (see README in docker/ and server.js header).
import { startDemoService, configFromEnv } from "./server.js";

const svc = await startDemoService(configFromEnv(process.env));
let stopping = false;
for (const sig of ["SIGTERM", "SIGINT"]) {
  process.on(sig, () => {
    if (stopping) return;
    stopping = true;
    svc.close().finally(() => process.exit(0));
    setTimeout(() => process.exit(0), 5000).unref();
  });
}
