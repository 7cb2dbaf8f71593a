// Runs `prisma generate` offline. Prisma's CLI insists on a schema-engine binary it would
// otherwise download; generating the TypeScript client does not need it, so we point it at a stub
// that always fails (never /bin/true: a succeeding stub would make `migrate deploy` silently no-op).
import { spawnSync } from "node:child_process";
import { chmodSync, existsSync, mkdirSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const pkgDir = join(dirname(fileURLToPath(import.meta.url)), "..");
const stubDir = join(pkgDir, ".cache");
const stub = join(stubDir, "schema-engine-unavailable");
if (!existsSync(stub)) {
  mkdirSync(stubDir, { recursive: true });
  writeFileSync(stub, "#!/bin/sh\necho 'schema engine binary is not used offline; use npm run db:migrate' >&2\nexit 1\n");
  chmodSync(stub, 0o755);
}
const env = { ...process.env, PRISMA_HIDE_UPDATE_MESSAGE: "1", CHECKPOINT_DISABLE: "1" };
if (!env.PRISMA_SCHEMA_ENGINE_BINARY) env.PRISMA_SCHEMA_ENGINE_BINARY = stub;
const r = spawnSync(process.execPath, [join(pkgDir, "../../node_modules/prisma/build/index.js"), "generate"], { cwd: pkgDir, env, stdio: "inherit" });
process.exit(r.status ?? 1);
