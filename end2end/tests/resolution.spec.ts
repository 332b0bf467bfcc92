import { expect, test } from "@playwright/test";
import { card, column, hydrated, login, openBoard, quickCreate, resolveInDialog, SAME_ORIGIN } from "./helpers";

test("dragging a card to Solved asks for a resolution; cancelling puts it back", async ({ page }) => {
  await login(page, "agent1@demo.test");
  await openBoard(page, "Support");
  const reference = await quickCreate(page, "Resolve me on the board");

  await card(page, reference).dragTo(column(page, "Solved").getByTestId("column-body"));
  const dialog = page.getByTestId("resolution-dialog");
  await expect(dialog).toBeVisible();
  // Specific codes grouped under their general code; nothing is confirmed without code and note.
  await expect(dialog.locator("optgroup[label='Solved'] option", { hasText: "Workaround" })).toHaveCount(1);
  await expect(dialog.locator("optgroup[label='Not solved'] option", { hasText: "Duplicate" })).toHaveCount(1);
  await expect(dialog.getByTestId("resolve-confirm")).toBeDisabled();
  await dialog.getByRole("button", { name: "Cancel" }).click();
  await expect(dialog).toHaveCount(0);
  await expect(column(page, "New").locator(`[data-ticket-ref="${reference}"]`)).toBeVisible();

  await card(page, reference).dragTo(column(page, "Solved").getByTestId("column-body"));
  await resolveInDialog(page, "Workaround", "Restarted the print spooler; vendor fix pending.");
  await expect(column(page, "Solved").locator(`[data-ticket-ref="${reference}"]`)).toBeVisible();

  await page.goto(`/tickets/${reference}`);
  await hydrated(page);
  await expect(page.getByTestId("ticket-status")).toHaveText("Resolved");
  await expect(page.getByTestId("resolution-code")).toHaveText("Solved › Workaround");
  await expect(page.getByTestId("resolution-note")).toHaveText("Restarted the print spooler; vendor fix pending.");
  await expect(page.locator("[data-testid=timeline-entry][data-kind=resolved]")).toContainText("Solved › Workaround");
});

test("the stage picker on the ticket page asks for the resolution too, and the server insists", async ({ page }) => {
  await login(page, "agent1@demo.test");
  await openBoard(page, "Support");
  const reference = await quickCreate(page, "Resolve me on the ticket page");
  const version = Number(await card(page, reference).getAttribute("data-version"));
  const solvedStage = Number(await column(page, "Solved").getAttribute("data-stage-id"));

  // Without a resolution the server refuses the move and nothing changes.
  const refused = await page.request.post("/api/move_ticket", {
    headers: SAME_ORIGIN,
    data: { reference, version, stage_id: solvedStage, before: null },
  });
  expect(refused.status()).toBe(400);
  expect(await refused.text()).toContain("needs a resolution code and a resolution note");

  await page.goto(`/tickets/${reference}`);
  await hydrated(page);
  await page.getByLabel("Stage").selectOption({ label: "Solved" });
  await resolveInDialog(page, "Explained", "Explained how the setting works.");
  await expect(page.getByTestId("ticket-status")).toHaveText("Resolved");
  await expect(page.getByTestId("ticket-resolution")).toContainText("Solved › Explained");
});

test("create a child ticket and see it on the parent; solving the parent asks first", async ({ page }) => {
  await login(page, "agent1@demo.test");
  await openBoard(page, "Support");
  const parent = await quickCreate(page, "Parent: office move");
  await page.goto(`/tickets/${parent}`);
  await hydrated(page);

  await page.getByTestId("create-child").click();
  await page.getByLabel("Title of the child ticket").fill("Child: patch the ports");
  await page.getByTestId("create-child-confirm").click();
  const child = page.getByTestId("child-ticket").filter({ hasText: "Child: patch the ports" });
  await expect(child).toHaveCount(1);
  await expect(child).toContainText("New");
  await expect(child).toContainText("Unassigned");

  // The child links back to its parent.
  const childRef = await child.getAttribute("data-ticket-ref");
  await page.goto(`/tickets/${childRef}`);
  await hydrated(page);
  await expect(page.getByTestId("parent-ticket")).toContainText(parent);

  // Solving the parent with an open child needs an extra confirmation.
  await page.goto(`/tickets/${parent}`);
  await hydrated(page);
  await page.getByLabel("Stage").selectOption({ label: "Solved" });
  const dialog = page.getByTestId("resolution-dialog");
  await expect(dialog.getByTestId("open-children-warning")).toContainText("1 child ticket is still open");
  await dialog.locator("select[name=resolution_code]").selectOption({ label: "Fixed" });
  await dialog.locator("textarea[name=resolution_note]").fill("Everything is set up.");
  await expect(dialog.getByTestId("resolve-confirm")).toBeDisabled();
  await dialog.locator("input[name=close_with_open_children]").check();
  await dialog.getByTestId("resolve-confirm").click();
  await expect(page.getByTestId("ticket-status")).toHaveText("Resolved");
});

test("convert a ticket to a lead: the ticket is archived and the lead is listed", async ({ page }) => {
  await login(page, "agent1@demo.test");
  await openBoard(page, "Support");
  const reference = await quickCreate(page, "Wants a quote for 25 seats");
  await page.goto(`/tickets/${reference}`);
  await hydrated(page);

  await page.getByTestId("convert-lead").click();
  const dialog = page.getByTestId("convert-lead-dialog");
  await expect(dialog.getByLabel("Lead title")).toHaveValue("Wants a quote for 25 seats");
  await dialog.getByLabel("Lead title").fill("25 seats quote");
  await dialog.getByLabel("Create a new contact").check();
  await dialog.getByLabel("Contact name").fill("Paula Prospect");
  await dialog.getByLabel("Sales team").selectOption({ label: "Direct sales" });
  await dialog.getByLabel("Salesperson").selectOption({ label: "Mia Wagner" });
  await dialog.getByTestId("convert-confirm").click();
  await expect(page.getByTestId("converted-lead")).toContainText("25 seats quote");

  await openBoard(page, "Support");
  await expect(card(page, reference)).toHaveCount(0);

  await page.goto("/leads");
  await hydrated(page);
  const row = page.getByTestId("lead-row").filter({ hasText: "25 seats quote" });
  await expect(row).toHaveCount(1);
  await expect(row).toContainText("Paula Prospect");
  await expect(row).toContainText("Direct sales");
  await expect(row).toContainText("Mia Wagner");
  await row.getByTestId("lead-ticket").click();
  await page.waitForURL(new RegExp(`/tickets/${reference}$`));
});
