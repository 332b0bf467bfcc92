import { expect, test } from "@playwright/test";
import { hydrated, login, openBoard, quickCreate } from "./helpers";

test("timer on a ticket survives a reload, runs in the top bar, stops there; time by hand, an event, the timesheet", async ({ page }) => {
  await login(page, "agent3@demo.test");
  await openBoard(page, "Support");
  const reference = await quickCreate(page, `Work log ${Date.now()}`);
  await page.goto(`/tickets/${reference}`);
  await hydrated(page);

  await page.getByTestId("timer-start").click();
  await expect(page.getByTestId("timer-stop")).toBeVisible();
  const topBar = page.getByTestId("running-timer");
  await expect(topBar).toHaveAttribute("data-ticket-ref", reference);

  // A reload (or a restart) keeps the timer: it is a row, and the top bar ticks every second.
  await page.reload();
  await hydrated(page);
  await expect(topBar).toHaveAttribute("data-ticket-ref", reference);
  const elapsed = page.getByTestId("running-timer-elapsed");
  const first = await elapsed.textContent();
  await expect.poll(() => elapsed.textContent(), { timeout: 5_000 }).not.toBe(first);

  // On every page, linking back to its ticket.
  await page.goto("/");
  await hydrated(page);
  await expect(topBar).toHaveAttribute("data-ticket-ref", reference);
  await topBar.getByRole("link").click();
  await page.waitForURL(new RegExp(`/tickets/${reference}$`));
  await hydrated(page);

  await page.getByTestId("running-timer-stop").click();
  await expect(topBar).toHaveCount(0);
  await expect(page.getByTestId("timer-start")).toBeVisible();
  await expect(page.getByTestId("time-entry")).toHaveCount(1);
  // Every started minute counts: even a short timer logs at least a minute.
  const total = page.getByTestId("time-total");
  await expect(total).not.toHaveAttribute("data-minutes", "0");
  const timed = Number(await total.getAttribute("data-minutes"));
  expect(timed).toBeGreaterThanOrEqual(1);

  // Time by hand: billable by default.
  await page.locator("input[name=duration]").fill("1h 30m");
  await page.locator("input[name=note]").fill("Pairing on the fix");
  await page.getByTestId("log-time").click();
  await expect(page.getByTestId("time-entry")).toHaveCount(2);
  await expect(total).toHaveAttribute("data-minutes", String(timed + 90));
  await expect(total).toHaveAttribute("data-billable-minutes", String(timed + 90));
  await expect(total).toContainText(timed < 30 ? `Total 1h ${30 + timed}m` : "Total 2h");
  await expect(page.getByTestId("time-entry").filter({ hasText: "Pairing on the fix" })).toBeVisible();

  // A wrong duration is explained, nothing is logged.
  await page.locator("input[name=duration]").fill("soon");
  await page.getByTestId("log-time").click();
  await expect(page.getByTestId("time-entry-form").getByRole("alert")).toContainText("is not a duration");
  await expect(page.getByTestId("time-entry")).toHaveCount(2);

  // An event, with its line on the timeline.
  await page.locator("select[name=event_type]").selectOption({ label: "CallOut" });
  await page.locator("input[name=event_duration]").fill("10m");
  await page.locator("textarea[name=event_note]").fill("Called the customer back");
  await page.getByTestId("log-event").click();
  await expect(page.getByTestId("ticket-event").filter({ hasText: "Called the customer back" })).toBeVisible();
  await expect(page.locator("[data-testid=timeline-entry][data-kind=event]").first()).toContainText("CallOut logged (10m): Called the customer back");

  // The timesheet (last seven days, per agent) lists both entries.
  await page.goto("/timesheets");
  await hydrated(page);
  await expect(page.locator(`[data-testid=timesheet-entry][data-ticket-ref="${reference}"]`)).toHaveCount(2);
  await expect(page.getByTestId("timesheet-row")).toHaveCount(1); // an agent sees only their own time
  await page.getByLabel("Per").selectOption("customer");
  await page.getByTestId("timesheet-show").click();
  await expect(page.getByTestId("timesheet-row").filter({ hasText: "No customer account" })).toBeVisible();
});

test("starting a timer on another ticket stops the running one", async ({ page }) => {
  await login(page, "agent2@demo.test");
  await openBoard(page, "Support");
  const first = await quickCreate(page, `Timer one ${Date.now()}`);
  const second = await quickCreate(page, `Timer two ${Date.now()}`);
  await page.goto(`/tickets/${first}`);
  await hydrated(page);
  await page.getByTestId("timer-start").click();
  await expect(page.getByTestId("running-timer")).toHaveAttribute("data-ticket-ref", first);
  await page.goto(`/tickets/${second}`);
  await hydrated(page);
  await page.getByTestId("timer-start").click();
  await expect(page.getByText(`Your timer on ${first} was stopped`)).toBeVisible();
  await expect(page.getByTestId("running-timer")).toHaveAttribute("data-ticket-ref", second);
  await page.getByTestId("timer-stop").click();
  await expect(page.getByTestId("running-timer")).toHaveCount(0);
});

test("a returning customer's request is added as an event to their open ticket instead of a duplicate", async ({ page }) => {
  await login(page, "agent1@demo.test");
  await page.goto("/tickets/new");
  await hydrated(page);
  const title = `Still broken ${Date.now()}`;
  await page.getByLabel("Title").fill(title);
  await page.getByLabel("Customer", { exact: true }).fill("Sophie");
  await page.getByRole("button", { name: /Sophie Wolf · Initech AG/ }).click();
  const offer = page.getByTestId("add-as-event").first();
  await expect(offer).toBeVisible();
  const reference = await offer.getAttribute("data-ticket-ref");
  expect(reference).toMatch(/^HD-\d+$/);
  await expect(offer).toHaveText(`Add as an event to ${reference}`);
  await offer.click();
  await page.waitForURL(new RegExp(`/tickets/${reference}$`));
  await hydrated(page);
  await expect(page.getByTestId("ticket-event").filter({ hasText: title })).toBeVisible();
});
