import { mkdirSync } from "node:fs";
import { join, resolve } from "node:path";
import { expect, test, type Page } from "@playwright/test";
import { auth, login, pageFetch } from "./support";

const SHOTS = resolve(import.meta.dirname, "..", "..", "test-results", "screenshots");

async function shot(page: Page, name: string) {
  mkdirSync(SHOTS, { recursive: true });
  await page.screenshot({ path: join(SHOTS, `${name}.png`), fullPage: true });
}


test.describe("roles in the browser", () => {
  test("signing in is required", async ({ page }) => {
    await page.goto(`${auth.baseUrl}/slos`);
    await page.waitForURL(/\/login\?next=%2Fslos/);
    await page.fill("#email", "viewer@burnrate.local");
    await page.fill("#password", auth.password);
    await page.click("button[type=submit]");
    await page.waitForURL(`${auth.baseUrl}/slos`);
    await expect(page.getByTestId("nav-user")).toContainText("Viewer");
  });

  test("a viewer sees everything but cannot edit", async ({ page }) => {
    await login(page, "viewer@burnrate.local");
    await page.goto(`${auth.baseUrl}/slos/checkout-availability`);
    await expect(page.getByRole("heading", { name: "Checkout availability" })).toBeVisible();
    await expect(page.getByRole("link", { name: "Edit" })).toHaveCount(0);
    await expect(page.getByRole("button", { name: "Delete" })).toHaveCount(0);
    await page.goto(`${auth.baseUrl}/slos`);
    await expect(page.getByRole("link", { name: "New SLO" })).toHaveCount(0);
    await shot(page, "auth-viewer-slos");
    const slo = JSON.parse((await pageFetch(page, "GET", "/api/v1/slos/checkout-availability")).text) as Record<string, unknown>;
    const attempt = await pageFetch(page, "PUT", "/api/v1/slos/checkout-availability", { ...slo, objective: 95, version: slo.version });
    expect(attempt.status).toBe(403);
    expect(attempt.text).toContain("needs the editor role");
    const after = JSON.parse((await pageFetch(page, "GET", "/api/v1/slos/checkout-availability")).text) as { objective: number };
    expect(after.objective).toBe(slo.objective);
  });

  test("an editor of payments edits payments SLOs but cannot touch discovery's, and the audit log shows who changed what", async ({ page }) => {
    await login(page, "payments-editor@burnrate.local");
    // Discovery: no edit controls, and the API refuses.
    await page.goto(`${auth.baseUrl}/slos/search-availability`);
    await expect(page.getByRole("heading", { name: "Search availability" })).toBeVisible();
    await expect(page.getByRole("link", { name: "Edit" })).toHaveCount(0);
    const search = JSON.parse((await pageFetch(page, "GET", "/api/v1/slos/search-availability")).text) as Record<string, unknown>;
    const refused = await pageFetch(page, "PUT", "/api/v1/slos/search-availability", { ...search, name: "Hijacked", version: search.version });
    expect(refused.status).toBe(403);
    expect((JSON.parse(refused.text) as { error: { message: string } }).error.message).toContain('team "discovery"');

    // Payments: edit the checkout latency SLO's description through the form.
    await page.goto(`${auth.baseUrl}/slos/checkout-latency`);
    await page.getByRole("link", { name: "Edit" }).click();
    const note = `edited by the payments editor ${Date.now()}`;
    await page.fill("#description", note);
    await page.getByRole("button", { name: "Save changes" }).click();
    await page.waitForURL(`${auth.baseUrl}/slos/checkout-latency`);
    // Known open bug (issue 14 note): right after this client-side navigation the SLO page keeps
    // re-laying out (a hydration mismatch), so Playwright never sees the tab "stable"; the click
    // event itself is what this test is about.
    await page.getByRole("tab", { name: "Definition" }).dispatchEvent("click");
    await expect(page.getByText(note)).toBeVisible();

    // The audit log names the actor and keeps before/after.
    await page.goto(`${auth.baseUrl}/audit`);
    const row = page.getByTestId("audit-row").filter({ hasText: "checkout-latency" }).first();
    await expect(row).toContainText("payments-editor@burnrate.local");
    await expect(row).toContainText("slo.update");
    await row.getByRole("button", { name: "Details" }).click();
    await expect(page.getByText(note).first()).toBeVisible();
    await shot(page, "auth-audit-log");
  });
});
