import { expect, test } from "@playwright/test";
import { card, hydrated, login, openBoard, quickCreate, SAME_ORIGIN } from "./helpers";

test("a lead creates a queue, fills it from the board, and pulls from it", async ({ page }) => {
  await login(page, "lead@demo.test");
  await page.getByRole("link", { name: "Queues" }).click();
  await page.waitForURL(/\/queues$/);
  await hydrated(page);

  await page.getByLabel("Queue name").fill("Night shift");
  await page.getByLabel("Queue description").fill("Whatever must not wait until morning");
  await page.getByRole("button", { name: "Create queue" }).click();
  await expect(page.getByText("Queue Night shift created.")).toBeVisible();
  const tile = page.locator('[data-testid=queue][data-queue-name="Night shift"]');
  await tile.getByRole("button", { name: "Choose members" }).click();
  await tile.getByLabel("Lena Lead").check();
  await tile.getByRole("button", { name: "Save members" }).click();
  await expect(page.getByText("Queue members saved.")).toBeVisible();
  await expect(tile).toContainText("Members: Lena Lead");

  await openBoard(page, "Support");
  const reference = await quickCreate(page, "Server room door left open");
  await card(page, reference).getByRole("checkbox", { name: `Select ${reference}` }).check();
  await page.getByLabel("Add to queue").selectOption({ label: "Night shift" });
  await expect(page.getByText("Added 1 ticket(s) to the queue.")).toBeVisible();

  await page.goto("/queues");
  await hydrated(page);
  await expect(tile.locator(".badge")).toHaveText("1 waiting");
  await tile.getByRole("button", { name: "Pick up next from this queue" }).click();
  await page.waitForURL(new RegExp(`/tickets/${reference}$`));
  await hydrated(page);
  await expect(page.getByTestId("ticket-status")).toHaveText("Active – Assigned");
  await expect(page.getByTestId("ticket-queue")).toHaveText("Queue: Night shift");
  await expect(page.locator("[data-testid=timeline-entry][data-kind=queued]")).toContainText("Added to queue Night shift");
});

test("agents who are not members cannot pull from a queue", async ({ page }) => {
  await login(page, "agent2@demo.test");
  await page.goto("/queues");
  await hydrated(page);
  const vip = page.locator('[data-testid=queue][data-queue-name="VIP customers"]');
  await expect(vip).toBeVisible();
  await expect(vip.getByRole("button", { name: "Pick up next from this queue" })).toHaveCount(0);
  await expect(page.getByRole("button", { name: "Create queue" })).toHaveCount(0);
  const queueId = Number((await vip.getByRole("link").getAttribute("href"))!.split("/").pop());
  const refused = await page.request.post("/api/pull_next", { headers: SAME_ORIGIN, data: { source: { queue: queueId } } });
  expect(refused.status()).toBe(403);
});
