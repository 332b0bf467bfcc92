import { expect, test, type Page } from "@playwright/test";
import { card, hydrated, login } from "./helpers";

async function unread(page: Page): Promise<number> {
  const count = page.getByTestId("unread-count");
  return (await count.count()) === 0 ? 0 : Number(await count.textContent());
}

test("a one-minute KPI on 24×7 counts down live, warns, breaches, and pauses in a waiting stage", async ({ page }) => {
  test.setTimeout(180_000);
  await login(page, "admin@demo.test");
  await page.getByRole("link", { name: "SLA" }).click();
  await page.waitForURL(/\/admin\/sla$/);
  await hydrated(page);
  await expect(page.getByTestId("sla-policy").filter({ hasText: "Urgent and high" })).toBeVisible();

  // An express policy for Finance: first response within one minute, nearing breach at half time.
  const form = page.getByTestId("sla-policy-form");
  await form.getByLabel("Team").selectOption({ label: "Finance" });
  await form.getByLabel("Name").fill("Express");
  await form.getByLabel("Calendar").selectOption({ label: "24×7 (UTC)" });
  await form.getByLabel("First response within").fill("1m");
  await form.getByLabel("Resolution within").fill("8h");
  await form.getByLabel("Warn when used (%)").fill("50");
  await form.getByRole("button", { name: "Save policy" }).click();
  await expect(page.getByTestId("sla-policy").filter({ hasText: "Express" })).toContainText("1m");

  // A bad duration is refused with a sentence and changes nothing.
  await form.getByLabel("Name").fill("Broken");
  await form.getByLabel("First response within").fill("soon");
  await form.getByRole("button", { name: "Save policy" }).click();
  await expect(form.getByRole("alert")).toContainText('"soon" is not a duration');
  await expect(page.getByTestId("sla-policy").filter({ hasText: "Broken" })).toHaveCount(0);

  const bellBefore = await unread(page);
  await page.goto("/tickets/new");
  await hydrated(page);
  await page.getByLabel("Title").fill("Card reader rejects every payment");
  await page.getByLabel("Team").selectOption({ label: "Finance" });
  await page.getByLabel("Assignee").selectOption({ label: "Alex Admin" });
  await page.getByRole("button", { name: "Create ticket" }).click();
  await page.waitForURL(/\/tickets\/HD-\d+$/);
  await hydrated(page);
  const reference = new URL(page.url()).pathname.split("/").pop()!;

  const timer = page.getByTestId("sla-timer");
  await expect(timer).toHaveAttribute("data-sla-state", "running");
  await expect(timer).toContainText("First response");
  const due = Date.parse((await timer.getAttribute("data-due"))!);
  expect(due).toBeGreaterThan(Date.now() - 5_000);
  expect(due).toBeLessThan(Date.now() + 65_000);
  // It ticks in the browser, without any reload.
  const first = await timer.locator(".sla-left").textContent();
  await expect(timer.locator(".sla-left")).not.toHaveText(first!, { timeout: 3_000 });
  await expect(timer).toHaveAttribute("data-sla-state", "warning", { timeout: 40_000 });
  await expect(timer).toHaveAttribute("data-sla-state", "breached", { timeout: 40_000 });
  await expect(timer.locator(".sla-left")).toContainText("late +0:00:");

  // The escalation job raised the alerts and told the assignee: the bell lights up live.
  await expect.poll(() => unread(page), { timeout: 15_000 }).toBeGreaterThan(bellBefore);

  // On the board the card carries the same breached timer.
  await page.goto(`/teams/${await financeTeamId(page)}/board`);
  await hydrated(page);
  await expect(card(page, reference).getByTestId("sla-timer")).toHaveAttribute("data-sla-state", "breached");

  // Waiting on the customer: the first response counts as given, the resolution clock pauses.
  await page.goto(`/tickets/${reference}`);
  await hydrated(page);
  await page.getByLabel("Stage").selectOption({ label: "Waiting" });
  await expect(page.getByTestId("sla-timer")).toHaveAttribute("data-sla-state", "paused");
  await expect(page.getByTestId("sla-timer")).toContainText("paused");
  const pausedText = await page.getByTestId("sla-timer").locator(".sla-left").textContent();
  await page.waitForTimeout(2_000);
  await expect(page.getByTestId("sla-timer").locator(".sla-left")).toHaveText(pausedText!);
  await expect(page.locator("[data-testid=timeline-entry][data-kind=sla]").first()).toContainText("SLA clocks paused (stage Waiting)");
});

async function financeTeamId(page: Page): Promise<string> {
  await page.goto("/");
  await hydrated(page);
  const href = await page.getByRole("link", { name: /^Finance\b/ }).getAttribute("href");
  return href!.match(/\/teams\/(\d+)\//)![1];
}
