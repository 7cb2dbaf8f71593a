// Shared ESLint flat config. Package boundaries are lint errors, not wiki pages:
// the domain package must stay pure (no I/O, no clock, no framework), integrations take URLs and
// tokens as arguments, and only src/lib/env.ts in the web app reads process.env.
import js from "@eslint/js";
import reactHooks from "eslint-plugin-react-hooks";
import tseslint from "typescript-eslint";

const base = tseslint.config(js.configs.recommended, ...tseslint.configs.recommended, {
  linterOptions: { reportUnusedDisableDirectives: "error" },
  rules: {
    "@typescript-eslint/consistent-type-imports": ["error", { fixStyle: "inline-type-imports" }],
    "@typescript-eslint/no-non-null-assertion": "error",
    "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_", caughtErrors: "none" }],
    "no-console": "off",
    // TypeScript checks names; plain .mjs scripts run on Node.
    "no-undef": "off",
  },
});

const tests = {
  files: ["**/test/**", "**/e2e/**", "**/bench/**", "scripts/**"],
  rules: { "@typescript-eslint/no-non-null-assertion": "off" },
};

const domainBoundary = {
  files: ["packages/domain/src/**/*.ts"],
  rules: {
    "no-restricted-imports": ["error", { patterns: [
      { group: ["node:*", "fs", "path", "child_process", "http", "https", "crypto"], message: "@burnrate/domain is pure: no Node I/O." },
      { group: ["@prisma/*", "@burnrate/db", "@burnrate/integrations", "next", "next/*", "react", "react-dom"], message: "@burnrate/domain must not depend on I/O packages or frameworks." },
    ] }],
    "no-restricted-globals": ["error",
      { name: "fetch", message: "no network in the domain" },
      { name: "process", message: "no environment in the domain; pass options" },
    ],
    "no-restricted-properties": ["error",
      { object: "Date", property: "now", message: "no clock in the domain; pass `now`" },
      { object: "Math", property: "random", message: "no randomness in the domain" },
    ],
  },
};

const integrationsBoundary = {
  files: ["packages/integrations/src/**/*.ts"],
  rules: {
    "no-restricted-imports": ["error", { patterns: [{ group: ["@burnrate/db", "@prisma/*", "next", "next/*", "react"], message: "integrations take data and config as arguments" }] }],
    "no-restricted-properties": ["error", { object: "process", property: "env", message: "no environment in integrations; pass options" }],
  },
};

const webEnvBoundary = {
  files: ["apps/web/src/**/*.{ts,tsx}"],
  ignores: ["apps/web/src/lib/env.ts", "apps/web/src/instrumentation.ts"],
  rules: {
    "no-restricted-properties": ["error", { object: "process", property: "env", message: "read configuration through ~/lib/env" }],
    "no-restricted-imports": ["error", { patterns: [{ group: ["@prisma/*"], message: "use @burnrate/db" }] }],
  },
};

const react = {
  files: ["apps/web/src/**/*.tsx"],
  plugins: { "react-hooks": reactHooks },
  rules: { "react-hooks/rules-of-hooks": "error", "react-hooks/exhaustive-deps": "warn" },
};

export default [
  { ignores: ["**/node_modules/**", "**/.next/**", "**/dist/**", "**/generated/**", "**/.cache/**", "**/test-results/**", "**/*.d.ts", "**/*.d.mts", ".data/**", "**/next-env.d.ts"] },
  ...base,
  domainBoundary,
  integrationsBoundary,
  webEnvBoundary,
  react,
  tests,
];
