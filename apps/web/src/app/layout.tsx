import type { Metadata } from "next";
import type { ReactNode } from "react";
import { Nav } from "~/components/nav";
import "./globals.css";
import { Providers } from "./providers";

export const metadata: Metadata = { title: "Burnrate", description: "SLOs, error budgets, burn-rate alerts and DORA metrics" };

export default function RootLayout({ children }: { children: ReactNode }) {
  return (
    <html lang="en">
      <body>
        <Providers>
          <div className="shell">
            <Nav />
            <main className="main">{children}</main>
          </div>
        </Providers>
      </body>
    </html>
  );
}
