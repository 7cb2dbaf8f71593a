import type { Metadata } from "next";
import { cookies } from "next/headers";
import type { ReactNode } from "react";
import { Nav } from "~/components/nav";
import { THEME_COOKIE, parseTheme } from "~/lib/theme";
import "./globals.css";
import { Providers } from "./providers";

export const metadata: Metadata = { title: "Burnrate", description: "SLOs, error budgets, burn-rate alerts and DORA metrics" };

export default async function RootLayout({ children }: { children: ReactNode }) {
  // A chosen theme is rendered on the server (no flash, no inline script); "system" follows prefers-color-scheme in CSS.
  const theme = parseTheme((await cookies()).get(THEME_COOKIE)?.value);
  return (
    <html lang="en" data-theme={theme === "system" ? undefined : theme}>
      <body>
        <Providers>
          <div className="shell">
            <Nav theme={theme} />
            <main className="main">{children}</main>
          </div>
        </Providers>
      </body>
    </html>
  );
}
