import { expect, test } from "@playwright/test";
import { hydrated, login } from "./helpers";

/** A UTC day `offset` days from today, as the date input wants it and as the page shows it. */
function day(offset: number) {
  const date = new Date(Date.now() + offset * 86_400_000);
  const weekday = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"][date.getUTCDay()];
  const month = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"][date.getUTCMonth()];
  const dd = String(date.getUTCDate()).padStart(2, "0");
  return { input: date.toISOString().slice(0, 10), shown: `${weekday} ${dd} ${month} ${date.getUTCFullYear()}` };
}

test("an agent records time off, sees it planned, and removes it", async ({ page }) => {
  const [first, last, before] = [day(30), day(32), day(28)];
  await login(page, "agent4@demo.test");
  await page.getByRole("link", { name: "Time off" }).click();
  await page.waitForURL(/\/time-off$/);
  await hydrated(page);
  await expect(page.getByText("No time off planned.")).toBeVisible();

  await page.getByLabel("First day").fill(first.input);
  await page.getByLabel("Last day").fill(before.input);
  await page.getByRole("button", { name: "Add time off" }).click();
  await expect(page.getByRole("alert")).toContainText("The last day cannot be before the first day.");

  await page.getByLabel("Last day").fill(last.input);
  await page.getByRole("button", { name: "Add time off" }).click();
  const planned = page.getByTestId("time-off-list");
  await expect(planned).toContainText(`${first.shown} – ${last.shown}`);

  await page.reload();
  await hydrated(page);
  await planned.getByRole("button", { name: "Remove" }).click();
  await expect(page.getByText("No time off planned.")).toBeVisible();
});
