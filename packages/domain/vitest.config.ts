import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    // promtool/amtool tests replay days of synthetic traffic; give them room on slow CI machines.
    testTimeout: 120_000,
    hookTimeout: 120_000,
  },
});
