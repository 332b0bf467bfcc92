import { expect, test } from "@playwright/test";
import { hydrated, login } from "./helpers";

// A page whose server HTML and browser view disagree panics while hydrating and stops reacting;
// loading every screen directly, as a bookmark would, catches that.
const SCREENS: Record<string, string[]> = {
  "lead@demo.test": ["/", "/teams/1/board", "/teams/2/settings", "/tickets/HD-1003", "/tickets/new", "/tickets/merge?refs=HD-1001,HD-1002",
    "/tickets/merge?refs=HD-1003", "/queues", "/queues/1",
    "/admin/qualifications", "/admin/routing", "/admin/automation", "/admin/sla", "/admin/entitlements", "/notifications", "/time-off",
    "/timesheets", "/customers", "/customers/accounts/1", "/customers/contacts/1", "/profile", "/leads", "/kb", "/kb/new", "/kb/1", "/kb/1/edit"],
  "admin@demo.test": ["/admin/teams", "/admin/audit", "/setup", "/teams/1/settings", "/admin/catalogs", "/admin/catalogs?kind=units",
    "/admin/catalogs?kind=priority_codes", "/admin/catalogs?kind=event_types", "/admin/catalogs?kind=resolution_codes", "/admin/users", "/admin/users/1", "/profile"],
  "agent1@demo.test": ["/", "/timesheets", "/admin/routing", "/admin/automation", "/admin/sla", "/admin/entitlements", "/queues", "/customers", "/customers/accounts/1",
    "/customers/contacts/1"],
  "customer@demo.test": ["/", "/my/tickets", "/profile", "/kb", "/kb/1"],
};

for (const [email, paths] of Object.entries(SCREENS)) {
  test(`every screen hydrates cleanly for ${email}`, async ({ page }) => {
    const errors: string[] = [];
    page.on("pageerror", (error) => errors.push(error.message));
    page.on("console", (message) => {
      // A panic, or anything the Content-Security-Policy blocked (a script without the nonce…).
      const text = message.text();
      if (message.type() === "error" && (text.includes("panicked") || text.includes("Content Security Policy"))) errors.push(text);
    });
    await login(page, email);
    for (const path of paths) {
      await page.goto(path);
      await hydrated(page);
      await page.waitForLoadState("networkidle");
      expect(errors, `loading ${path}`).toEqual([]);
    }
  });
}

test("the invitation page hydrates cleanly without a session", async ({ page }) => {
  const errors: string[] = [];
  page.on("pageerror", (error) => errors.push(error.message));
  await page.goto("/invite/not-a-real-token");
  await hydrated(page);
  await expect(page.locator("input[name=password]")).toBeVisible();
  expect(errors).toEqual([]);
});
