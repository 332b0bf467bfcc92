import { expect, test } from "@playwright/test";
import { card, hydrated, login, openBoard, quickCreate } from "./helpers";

test("two ticked cards are merged: the merged one points to the survivor, whose timeline says so", async ({ page }) => {
  await login(page, "lead@demo.test");
  await openBoard(page, "Support");
  const unique = Date.now().toString(36);
  const survivor = await quickCreate(page, `Scanner ${unique} rejects every badge`);
  const merged = await quickCreate(page, `Scanner ${unique} rejects every badge again`);

  for (const reference of [survivor, merged]) {
    await card(page, reference).getByRole("checkbox", { name: `Select ${reference}` }).check();
  }
  await page.getByTestId("merge-selected").click();
  await page.waitForURL(/\/tickets\/merge\?refs=/);
  await hydrated(page);

  const candidates = page.getByTestId("merge-candidate");
  await expect(candidates).toHaveCount(2);
  await expect(page.locator(`[data-testid=merge-candidate][data-ticket-ref="${merged}"] [data-testid=merge-score]`)).toContainText("%");
  await page.locator(`[data-testid=merge-candidate][data-ticket-ref="${survivor}"] input[type=radio]`).check();
  await expect(page.getByTestId("merge-confirm")).toHaveText(`Merge into ${survivor}`);
  await page.getByTestId("merge-confirm").click();

  await page.waitForURL(new RegExp(`/tickets/${survivor}$`));
  await hydrated(page);
  await expect(page.locator("[data-testid=timeline-entry][data-kind=merged]")).toContainText(`Merged ${merged}`);

  await page.goto(`/tickets/${merged}`);
  await hydrated(page);
  const notice = page.getByTestId("merged-into");
  await expect(notice).toContainText(`Merged into ${survivor}`);
  await expect(notice.getByRole("link", { name: survivor })).toHaveAttribute("href", `/tickets/${survivor}`);
  await expect(page.getByTestId("ticket-status")).toHaveText("Cancelled");
});

test("a ticket page lists its look-alikes as possible duplicates and offers to merge them", async ({ page }) => {
  await login(page, "lead@demo.test");
  await openBoard(page, "Support");
  const unique = Date.now().toString(36);
  const first = await quickCreate(page, `Projector ${unique} flickers in room four`);
  const second = await quickCreate(page, `Projector ${unique} flickers in room four since Monday`);

  await page.goto(`/tickets/${first}`);
  await hydrated(page);
  const duplicate = page.locator(`[data-testid=possible-duplicate][data-ticket-ref="${second}"]`);
  await expect(duplicate).toBeVisible();
  await expect(duplicate).toContainText("%");
  await duplicate.getByRole("link", { name: "Merge…" }).click();
  await page.waitForURL(/\/tickets\/merge\?refs=/);
  await hydrated(page);
  await expect(page.getByTestId("merge-candidate")).toHaveCount(2);

  // Starting from one ticket's "Merge…", more tickets are added by reference.
  await page.goto(`/tickets/${first}`);
  await hydrated(page);
  await page.getByTestId("merge-ticket").click();
  await page.waitForURL(/\/tickets\/merge\?refs=/);
  await hydrated(page);
  await expect(page.getByTestId("merge-candidate")).toHaveCount(0);
  await page.getByTestId("merge-add").fill(second);
  await page.getByTestId("merge-add").press("Enter");
  await expect(page.getByTestId("merge-candidate")).toHaveCount(2);
});
