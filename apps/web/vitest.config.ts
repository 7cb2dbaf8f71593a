// Unit tests of the app's pure server-side functions (no database, no Next server): `npm test -w
// @burnrate/web`. The end-to-end suites are Playwright's (e2e/). `server-only` resolves to its empty
// module, as it does under React's server condition, so server modules can be imported here.
import { fileURLToPath } from "node:url";
import { defineConfig } from "vitest/config";

export default defineConfig({
  resolve: {
    alias: {
      "~": fileURLToPath(new URL("./src", import.meta.url)),
      "server-only": fileURLToPath(new URL("../../node_modules/server-only/empty.js", import.meta.url)),
    },
  },
  test: {
    include: ["test/**/*.test.ts"],
    testTimeout: 30_000,
  },
});
