import { expect, test } from "@playwright/test";
import { card, hydrated, login, openBoard, quickCreate } from "./helpers";

/** Sets the Field Service team's automatic assignment and its members, as a lead on the settings page. */
async function configureFieldService(page: import("@playwright/test").Page, method: string, members: string[]) {
  await openBoard(page, "Field Service");
  await page.getByRole("link", { name: "Team settings" }).click();
  await page.waitForURL(/\/teams\/\d+\/settings$/);
  await hydrated(page);
  await page.getByLabel("Automatic assignment").selectOption({ label: method });
  const memberGroup = page.getByRole("group", { name: "Members" });
  for (const box of await memberGroup.locator("input[type=checkbox]").all()) {
    await box.uncheck();
  }
  for (const member of members) {
    await memberGroup.getByLabel(member).check();
  }
  await page.getByRole("button", { name: "Save settings" }).click();
  await expect(page.getByText("Team settings saved.")).toBeVisible();
}

test("a lead sets equal-open over two members; new tickets spread over both", async ({ page }) => {
  await login(page, "lead@demo.test");
  await configureFieldService(page, "Equal open (fewest open tickets first)", ["Jonas Becker", "Eszter Kovács"]);
  await expect(page.getByLabel("Automatic assignment")).toHaveValue("equal_open");

  await openBoard(page, "Field Service");
  const assignees: (string | null)[] = [];
  for (let i = 0; i < 6; i++) {
    const reference = await quickCreate(page, `Equal open ${i}`);
    assignees.push(await card(page, reference).locator(".avatar").getAttribute("title"));
  }
  // Both start with the same number of open tickets (the seeded spread), so each gets some.
  expect(new Set(assignees)).toEqual(new Set(["Jonas Becker", "Eszter Kovács"]));
  await page.goto(`/tickets/${await page.locator("[data-testid=ticket-card]", { hasText: "Equal open 5" }).getAttribute("data-ticket-ref")}`);
  await hydrated(page);
  await expect(page.locator("[data-testid=timeline-entry][data-kind=assigned]")).toContainText("automatically (equal open: fewest open tickets)");
});

test("a lead sets round-robin over two members; new tickets alternate between them", async ({ page }) => {
  await login(page, "lead@demo.test");
  await configureFieldService(page, "Round-robin (members in turn)", ["Jonas Becker", "Eszter Kovács"]);
  await expect(page.getByLabel("Automatic assignment")).toHaveValue("round_robin");

  await openBoard(page, "Field Service");
  const assignees: (string | null)[] = [];
  for (let i = 0; i < 4; i++) {
    const reference = await quickCreate(page, `Round robin ${i}`);
    assignees.push(await card(page, reference).locator(".avatar").getAttribute("title"));
  }
  expect(new Set(assignees)).toEqual(new Set(["Jonas Becker", "Eszter Kovács"]));
  for (let i = 1; i < assignees.length; i++) {
    expect(assignees[i]).not.toBe(assignees[i - 1]);
  }
});

test("a default queue user holds new tickets, which stay Active – New until someone takes them", async ({ page }) => {
  await login(page, "lead@demo.test");
  await openBoard(page, "Finance");
  await page.getByRole("link", { name: "Team settings" }).click();
  await page.waitForURL(/\/teams\/\d+\/settings$/);
  await hydrated(page);
  await page.getByLabel("Automatic assignment").selectOption({ label: "Equal open (fewest open tickets first)" });
  await page.getByLabel("Default queue user").selectOption({ label: "Noah Fischer" });
  await page.getByRole("button", { name: "Save settings" }).click();
  await expect(page.getByRole("alert")).toContainText("Choose either automatic assignment or a default queue user, not both.");
  await page.getByLabel("Automatic assignment").selectOption({ label: "Off (assign manually or pick up next)" });
  await page.getByRole("button", { name: "Save settings" }).click();
  await expect(page.getByText("Team settings saved.")).toBeVisible();

  await openBoard(page, "Finance");
  const reference = await quickCreate(page, "Held for Finance");
  await expect(card(page, reference).locator(".avatar")).toHaveAttribute("title", "Noah Fischer");
  await page.goto(`/tickets/${reference}`);
  await hydrated(page);
  await expect(page.getByTestId("ticket-status")).toHaveText("Active – New");
  await expect(page.locator("[data-testid=timeline-entry][data-kind=assigned]")).toContainText("Held by the team's queue user Noah Fischer until someone takes it");
});

test("agents cannot open team settings", async ({ page }) => {
  await login(page, "agent2@demo.test");
  await openBoard(page, "Field Service");
  await expect(page.getByRole("link", { name: "Team settings" })).toHaveCount(0);
  const settingsUrl = page.url().replace(/board$/, "settings");
  await page.goto(settingsUrl);
  await hydrated(page);
  await expect(page.getByRole("alert")).toContainText("Only admins and team leads");
});
