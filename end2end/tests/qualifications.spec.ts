import { expect, test } from "@playwright/test";
import { hydrated, login } from "./helpers";

test("an admin defines a qualification, rates an agent, and a ticket requires it", async ({ page }) => {
  await login(page, "admin@demo.test");
  await page.getByRole("link", { name: "Qualifications" }).click();
  await page.waitForURL(/\/admin\/qualifications$/);
  await hydrated(page);

  await page.getByLabel("Name").fill("Hungarian");
  await page.getByLabel("Kind").selectOption({ label: "Soft skill" });
  await page.getByLabel("Rated from 1 to").fill("5");
  await page.getByRole("button", { name: "Define qualification" }).click();
  await expect(page.getByText("Hungarian defined.")).toBeVisible();
  const matrix = page.getByTestId("qualification-matrix");
  await expect(matrix.locator("thead")).toContainText("Hungarian");

  // Out of scale is refused; a valid rating is kept across a reload.
  const cell = page.getByLabel("Eszter Kovács – Hungarian");
  await cell.fill("6");
  await cell.blur();
  await expect(page.getByText("Hungarian is rated from 1 to 5.")).toBeVisible();
  await cell.fill("5");
  await cell.blur();
  await expect(page.getByText("Hungarian rating saved.")).toBeVisible();
  await page.reload();
  await hydrated(page);
  await expect(page.getByLabel("Eszter Kovács – Hungarian")).toHaveValue("5");

  // A ticket requiring it.
  await page.goto("/tickets/new");
  await hydrated(page);
  await page.getByLabel("Title").fill("Customer only speaks Hungarian");
  await page.getByLabel("Add a required qualification").selectOption({ label: "Hungarian" });
  await page.getByLabel("Hungarian at least").fill("4");
  await page.getByRole("button", { name: "Create ticket" }).click();
  await page.waitForURL(/\/tickets\/HD-\d+$/);
  await hydrated(page);
  await expect(page.getByLabel("Hungarian at least")).toHaveValue("4");

  await page.getByRole("button", { name: "Remove Hungarian" }).click();
  await page.getByRole("button", { name: "Save", exact: true }).click();
  await expect(page.locator("[data-testid=timeline-entry][data-kind=edited]").first()).toContainText("Required qualifications: Hungarian ≥ 4 → —");
});

test("agents see qualifications but cannot rate", async ({ page }) => {
  await login(page, "agent1@demo.test");
  await page.goto("/admin/qualifications");
  await hydrated(page);
  await expect(page.getByLabel("Mia Wagner – Networking")).toHaveValue("8");
  await expect(page.getByLabel("Mia Wagner – Networking")).toBeDisabled();
  await expect(page.getByRole("button", { name: "Define qualification" })).toHaveCount(0);
});
