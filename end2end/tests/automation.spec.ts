import { expect, test } from "@playwright/test";
import { hydrated, login } from "./helpers";

test("a lead adds an automation rule; it tags new urgent tickets and notifies the assignee", async ({ page, browser }) => {
  await login(page, "lead@demo.test");
  await page.getByRole("link", { name: "Automation" }).click();
  await page.waitForURL(/\/admin\/automation$/);
  await hydrated(page);
  // The shipped defaults are listed; the reminder is off until someone turns it on.
  await expect(page.getByTestId("automation-rule")).toHaveCount(3);
  await expect(page.getByTestId("automation-rule").filter({ hasText: "Quiet for two days" })).toContainText("Disabled");

  await page.getByLabel("Name").fill("Urgent Field Service work is hot");
  await page.getByLabel("Trigger").selectOption({ label: "A ticket is created" });
  await page.locator("fieldset", { hasText: "Team" }).first().getByLabel("Field Service").check();
  await page.locator("fieldset", { hasText: /^Priority/ }).getByLabel("Urgent").check();
  await page.getByLabel("Add an action").selectOption({ label: "Add a tag" });
  await page.getByLabel("Tag to add").fill("hot");
  await page.getByLabel("Tag to add").blur();
  await page.getByLabel("Add an action").selectOption({ label: "Send a notification" });
  await page.getByLabel("Notification message").fill("Urgent on-site job");
  await page.getByLabel("Notification message").blur();
  await page.getByRole("button", { name: "Save rule" }).click();
  const rule = page.getByTestId("automation-rule").filter({ hasText: "Urgent Field Service work is hot" });
  await expect(rule).toContainText("Team is Field Service; and Priority is Urgent");
  await expect(rule).toContainText('Add tag "hot"; Notify the assignee (or the team\'s leads): "Urgent on-site job"');

  // An agent creates an urgent Field Service ticket: equal-open assigns it, the rule tags it and tells the assignee.
  const agent = await (await browser.newContext()).newPage();
  await login(agent, "agent2@demo.test");
  await agent.goto("/tickets/new");
  await hydrated(agent);
  await agent.getByLabel("Title").fill("Generator alarm at branch office");
  await agent.getByLabel("Team").selectOption({ label: "Field Service" });
  await agent.getByLabel("Priority").selectOption({ label: "Urgent" });
  await agent.getByRole("button", { name: "Create ticket" }).click();
  await agent.waitForURL(/\/tickets\/HD-\d+$/);
  await hydrated(agent);
  await expect(agent.getByLabel("Tags")).toHaveValue("hot");
  const automation = agent.locator("[data-testid=timeline-entry][data-kind=automation]");
  await expect(automation).toContainText('Rule "Urgent Field Service work is hot": Tag added: hot; Notified');
  const reference = new URL(agent.url()).pathname.split("/").pop()!;
  const assignee = (await automation.textContent())!.match(/Notified (.+)$/)![1].trim();

  const emails: Record<string, string> = { "Jonas Becker": "agent2@demo.test", "Eszter Kovács": "agent3@demo.test", "Lena Lead": "lead@demo.test" };
  const notified = await (await browser.newContext()).newPage();
  await login(notified, emails[assignee]);
  await expect(notified.getByTestId("unread-count")).toBeVisible();
  await notified.getByTestId("bell").click();
  await notified.waitForURL(/\/notifications$/);
  await hydrated(notified);
  const item = notified.getByTestId("notifications").locator("li", { hasText: "Urgent on-site job" });
  await expect(item).toContainText(reference);
  await notified.getByRole("button", { name: "Mark all as read" }).click();
  await expect(notified.getByTestId("unread-count")).toHaveCount(0);
});

test("a rule without actions is refused with a clear message", async ({ page }) => {
  await login(page, "admin@demo.test");
  await page.goto("/admin/automation");
  await hydrated(page);
  const before = await page.getByTestId("automation-rule").count();
  await page.getByLabel("Name").fill("Does nothing");
  await page.getByRole("button", { name: "Save rule" }).click();
  await expect(page.getByRole("alert")).toContainText("A rule needs at least one action.");
  await page.reload();
  await hydrated(page);
  await expect(page.getByTestId("automation-rule")).toHaveCount(before);
});
