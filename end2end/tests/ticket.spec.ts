import { expect, test } from "@playwright/test";
import { hydrated, login, openBoard, quickCreate } from "./helpers";

test("edit a ticket: pick a customer, assign, reprioritise; the timeline shows old → new", async ({ page }) => {
  await login(page, "agent3@demo.test");
  await openBoard(page, "Support");
  const reference = await quickCreate(page, "Edit me on the ticket page");
  await page.goto(`/tickets/${reference}`);
  await hydrated(page);
  await expect(page.getByTestId("ticket-status")).toHaveText("Active – New");

  await page.getByLabel("Customer", { exact: true }).fill("Glob");
  await page.getByRole("button", { name: /Anna Nagy · Globex Kft\./ }).click();
  await page.getByLabel("Priority").selectOption({ label: "Urgent" });
  await page.getByLabel("Assignee").selectOption({ label: "Eszter Kovács" });
  await page.getByRole("button", { name: "Save", exact: true }).click();

  await expect(page.getByTestId("ticket-status")).toHaveText("Active – Assigned");
  const entries = page.getByTestId("timeline-entry");
  // The newest edit entry (SLA entries for the recalculated clocks sit beside it).
  const edited = page.locator("[data-testid=timeline-entry][data-kind=edited]").first();
  await expect(edited).toContainText("Priority: Normal → Urgent");
  await expect(edited).toContainText("Customer: — → Anna Nagy · Globex Kft.");
  await expect(page.locator("[data-testid=timeline-entry][data-kind=assigned]")).toContainText("Assigned to Eszter Kovács");
  await expect(entries.last()).toHaveAttribute("data-kind", "created");

  await page.getByLabel("Title").fill("");
  await page.getByRole("button", { name: "Save", exact: true }).click();
  await expect(page.getByRole("alert")).toContainText("Title is required.");
  await page.reload();
  await hydrated(page);
  await expect(page.getByLabel("Title")).toHaveValue("Edit me on the ticket page");

  // The assignee picker now suggests the agent assigned a moment ago.
  await page.goto("/tickets/new");
  await hydrated(page);
  await expect(page.locator('#assignee optgroup[label="Recently assigned by you"] option')).toHaveText(["Eszter Kovács"]);
});

test("reorder cards within a column by dragging one onto another", async ({ page }) => {
  await login(page, "agent1@demo.test");
  await openBoard(page, "Support");
  const first = await quickCreate(page, "Reorder first");
  const second = await quickCreate(page, "Reorder second");
  const refs = () =>
    page.locator('[data-testid=stage-column][data-stage-name="New"] [data-testid=ticket-card]').evaluateAll((cards) =>
      cards.map((c) => c.getAttribute("data-ticket-ref")),
    );
  const before = await refs();
  expect(before.indexOf(first)).toBeLessThan(before.indexOf(second));

  await page.locator(`[data-ticket-ref="${second}"]`).dragTo(page.locator(`[data-ticket-ref="${first}"]`));
  await expect.poll(async () => {
    const now = await refs();
    return now.indexOf(second) < now.indexOf(first);
  }).toBe(true);
  await page.reload();
  await hydrated(page);
  const after = await refs();
  expect(after.indexOf(second)).toBeLessThan(after.indexOf(first));
});
