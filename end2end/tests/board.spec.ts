import { expect, test } from "@playwright/test";
import { card, column, hydrated, loggedInPage, login, openBoard, quickCreate, resolveInDialog, SAME_ORIGIN } from "./helpers";

test("create a ticket with the full form; it starts in New with a timeline", async ({ page }) => {
  await login(page, "agent1@demo.test");
  await page.goto("/tickets/new");
  await hydrated(page);

  await page.getByLabel("Title").fill("Scanner driver missing after upgrade");
  await page.getByLabel("Description").fill("The scanner stopped working after the OS upgrade.");
  await page.getByLabel("Team").selectOption({ label: "Support" });
  await page.getByLabel("Priority").selectOption({ label: "High" });
  await page.getByLabel("Origin").selectOption({ label: "Email" });
  await page.getByLabel("Tags").fill("scanner, drivers");
  await page.getByRole("button", { name: "New customer" }).click();
  await page.getByLabel("Customer name").fill("Rita Berger");
  await page.getByLabel("Customer email").fill("rita.berger@example.com");
  await page.getByLabel("Account").fill("Berger & Söhne");
  await page.getByRole("button", { name: "Create ticket" }).click();

  await page.waitForURL(/\/tickets\/HD-\d+$/);
  await hydrated(page);
  await expect(page.getByTestId("ticket-status")).toHaveText("Active – New");
  await expect(page.getByLabel("Title")).toHaveValue("Scanner driver missing after upgrade");
  const timeline = page.getByTestId("timeline");
  await expect(timeline.locator("[data-testid=timeline-entry][data-kind=created]")).toContainText("Support › New");
  await expect(page.getByText("Rita Berger · Berger & Söhne")).toBeVisible();
});

test("empty titles are refused and nothing is created", async ({ page }) => {
  await login(page, "agent1@demo.test");
  await page.goto("/tickets/new");
  await hydrated(page);
  await page.getByLabel("Title").fill("   ");
  await page.getByRole("button", { name: "Create ticket" }).click();
  await expect(page.getByRole("alert")).toContainText("Title is required.");
  await expect(page).toHaveURL(/\/tickets\/new$/);
});

test("drag a card to another stage; it stays there after a reload", async ({ page }) => {
  await login(page, "agent1@demo.test");
  await openBoard(page, "Support");
  const reference = await quickCreate(page, "Drag me to progress");
  const moved = card(page, reference);
  const versionBefore = Number(await moved.getAttribute("data-version"));

  await moved.dragTo(column(page, "In Progress").getByTestId("column-body"));
  await expect(column(page, "In Progress").locator(`[data-ticket-ref="${reference}"]`)).toBeVisible();
  await expect(column(page, "In Progress").locator(`[data-ticket-ref="${reference}"]`)).toHaveAttribute(
    "data-version",
    String(versionBefore + 1),
  );

  await page.reload();
  await hydrated(page);
  await expect(column(page, "In Progress").locator(`[data-ticket-ref="${reference}"]`)).toBeVisible();
  await expect(column(page, "New").locator(`[data-ticket-ref="${reference}"]`)).toHaveCount(0);

  await card(page, reference).getByRole("link").click();
  await hydrated(page);
  await expect(page.locator("[data-testid=timeline-entry][data-kind=moved]").first()).toContainText("New → In Progress");
});

test("keyboard users move a card with the card's stage menu", async ({ page }) => {
  await login(page, "agent2@demo.test");
  await openBoard(page, "Support");
  const reference = await quickCreate(page, "Move me by keyboard");
  await card(page, reference).getByLabel("Move to stage").selectOption({ label: "Waiting on Customer" });
  await expect(column(page, "Waiting on Customer").locator(`[data-ticket-ref="${reference}"]`)).toBeVisible();
});

test("a second browser sees a move live, without reloading", async ({ browser }) => {
  const mover = await loggedInPage(browser, "agent1@demo.test");
  const watcher = await loggedInPage(browser, "agent2@demo.test");
  await openBoard(mover, "Support");
  await openBoard(watcher, "Support");
  const reference = await quickCreate(mover, "Watch me move live");
  await expect(column(watcher, "New").locator(`[data-ticket-ref="${reference}"]`)).toBeVisible({ timeout: 3_000 });

  await card(mover, reference).dragTo(column(mover, "In Progress").getByTestId("column-body"));
  await expect(column(watcher, "In Progress").locator(`[data-ticket-ref="${reference}"]`)).toBeVisible({ timeout: 3_000 });
  await mover.context().close();
  await watcher.context().close();
});

test("a stale move is refused with a clear message and the board refreshes", async ({ browser }) => {
  const stale = await loggedInPage(browser, "agent1@demo.test");
  const first = await loggedInPage(browser, "agent2@demo.test");
  // This browser misses live updates, so it still shows the old version when it moves.
  await stale.route("**/api/events**", (route) => route.abort());
  await openBoard(stale, "Support");
  const reference = await quickCreate(stale, "Contested ticket");
  await openBoard(first, "Support");

  await card(first, reference).dragTo(column(first, "Waiting on Customer").getByTestId("column-body"));
  await expect(column(first, "Waiting on Customer").locator(`[data-ticket-ref="${reference}"]`)).toBeVisible();

  await card(stale, reference).dragTo(column(stale, "Solved").getByTestId("column-body"));
  // Solving asks for the resolution first; the stale version is refused on confirming.
  await resolveInDialog(stale);
  await expect(stale.getByRole("alert")).toContainText("changed by someone else");
  await expect(column(stale, "Waiting on Customer").locator(`[data-ticket-ref="${reference}"]`)).toBeVisible();
  await expect(column(stale, "Solved").locator(`[data-ticket-ref="${reference}"]`)).toHaveCount(0);

  // The same refusal when the server function is called directly with the old version.
  const response = await stale.request.post("/api/move_ticket", {
    headers: SAME_ORIGIN,
    data: { reference, version: 1, stage_id: Number(await column(stale, "Solved").getAttribute("data-stage-id")), before: null },
  });
  expect(response.status()).toBe(409);
  await stale.context().close();
  await first.context().close();
});
