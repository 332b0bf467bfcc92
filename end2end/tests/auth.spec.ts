import { expect, test } from "@playwright/test";
import { hydrated, login } from "./helpers";

test("unauthenticated visitors are sent to the login page", async ({ page }) => {
  await page.goto("/teams/1/board");
  await expect(page).toHaveURL(/\/login$/);
});

test("a wrong password is refused with a clear message", async ({ page }) => {
  await page.goto("/login");
  await hydrated(page);
  await page.locator("input[name=email]").fill("agent1@demo.test");
  await page.locator("input[name=password]").fill("not-the-password");
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page.getByRole("alert")).toContainText("Email or password is wrong.");
  await expect(page).toHaveURL(/\/login$/);
});

test("an agent logs in, sees only the teams visible to them, and logs out", async ({ page }) => {
  await login(page, "agent1@demo.test");
  await expect(page.getByRole("link", { name: /^Support\b/ })).toBeVisible();
  await expect(page.getByRole("link", { name: /^Field Service\b/ })).toBeVisible();
  await expect(page.getByRole("link", { name: /^Finance\b/ })).toHaveCount(0);

  await page.getByRole("button", { name: "Log out", exact: true }).click();
  await expect(page).toHaveURL(/\/login$/);
  await page.goto("/");
  await expect(page).toHaveURL(/\/login$/);
});
