import { expect, test } from "@playwright/test";
import { card, hydrated, login, openBoard, quickCreate, SAME_ORIGIN } from "./helpers";

test("a ticket on a routed subject is sent to Field Service when created", async ({ page }) => {
  await login(page, "agent1@demo.test");
  await page.goto("/tickets/new");
  await hydrated(page);
  await page.getByLabel("Title").fill("Broken gate at the loading dock");
  await page.getByLabel("Team").selectOption({ label: "Support" });
  await page.getByLabel("Subject").selectOption({ label: "Field work › Repair" });
  await page.getByRole("button", { name: "Create ticket" }).click();
  await page.waitForURL(/\/tickets\/HD-\d+$/);
  await hydrated(page);
  await expect(page.locator(".ticket-meta .badge").first()).toHaveText("Field Service › New");
  await expect(page.locator("[data-testid=timeline-entry][data-kind=routed]")).toContainText(
    'Routed by rule "On-site work goes to Field Service": Team: Support → Field Service › New',
  );
});

test("a lead writes a rule; Save & route and Apply routing rules use it", async ({ page }) => {
  await login(page, "lead@demo.test");
  // A ticket the new rule will catch, created before the rule exists.
  await openBoard(page, "Support");
  const waiting = await quickCreate(page, "Quokka stuck in the turnstile");
  const edited = await quickCreate(page, "Second quokka sighting");

  await page.getByRole("link", { name: "Routing" }).click();
  await page.waitForURL(/\/admin\/routing$/);
  await hydrated(page);
  await expect(page.getByTestId("routing-rule")).toHaveCount(5);

  // An invalid rule is refused with a clear message.
  await page.getByLabel("Name").fill("Quokkas to Field Service");
  await page.getByRole("button", { name: "Save rule" }).click();
  await expect(page.getByRole("alert")).toContainText("at least one condition");

  await page.getByLabel("Keywords in title or description").fill("quokka");
  await page.getByLabel("Route to team").selectOption({ label: "Field Service" });
  await page.getByLabel("Set priority").selectOption({ label: "High" });
  await page.getByRole("button", { name: "Save rule" }).click();
  const rule = page.getByTestId("routing-rule").filter({ hasText: "Quokkas to Field Service" });
  await expect(rule).toContainText('Title or description mentions "quokka"');
  await expect(rule).toContainText("Route to team Field Service; Set priority to High");

  // Save & route on the ticket page.
  await page.goto(`/tickets/${edited}`);
  await hydrated(page);
  await page.getByRole("button", { name: "Save & route" }).click();
  await expect(page.getByText('Saved and routed by rule "Quokkas to Field Service".')).toBeVisible();
  await expect(page.locator(".ticket-meta .badge").first()).toHaveText("Field Service › New");

  // Apply routing rules to a selection on the board.
  await openBoard(page, "Support");
  await card(page, waiting).getByRole("checkbox", { name: `Select ${waiting}` }).check();
  await expect(page.getByTestId("selection-bar")).toContainText("1 selected");
  await page.getByRole("button", { name: "Apply routing rules" }).click();
  await expect(page.getByText(`Routed 1 ticket(s): ${waiting}: Quokkas to Field Service.`)).toBeVisible();
  await expect(card(page, waiting)).toHaveCount(0);
  await openBoard(page, "Field Service");
  await expect(card(page, waiting)).toHaveCount(1);
  await expect(card(page, waiting).locator(".priority")).toHaveText("High");
});

test("agents see the routing rules but cannot change them", async ({ page }) => {
  await login(page, "agent2@demo.test");
  await page.goto("/admin/routing");
  await hydrated(page);
  await expect(page.getByTestId("routing-rule").filter({ hasText: "On-site work goes to Field Service" })).toBeVisible();
  await expect(page.getByRole("button", { name: "Save rule" })).toHaveCount(0);
  await expect(page.getByRole("button", { name: "Delete" })).toHaveCount(0);
  const refused = await page.request.post("/api/save_routing_rule", {
    headers: SAME_ORIGIN,
    data: { id: null, version: null, rule: { name: "Sneaky", enabled: true, conditions: { origins: [], priorities: [], subject_ids: [], product_ids: [], account_ids: [], keywords: ["x"] }, actions: { team_id: null, assignee_id: null, priority: "urgent" } } },
  });
  expect(refused.status()).toBe(403);
});

test("a ticket's unit shows its warranty and contract; On-site service is routed to Field Service", async ({ page }) => {
  await login(page, "agent3@demo.test");
  await page.goto("/tickets/new");
  await hydrated(page);
  await page.getByLabel("Title").fill("Router keeps rebooting");
  await page.getByLabel("Team").selectOption({ label: "Support" });
  await page.getByLabel("Reason").selectOption({ label: "Malfunction › Hardware fault" });
  await page.getByLabel("Service type").selectOption({ label: "On-site" });
  await page.getByLabel("Unit (serial number)").selectOption({ label: "RX2-1001 · Router X200 · Acme GmbH" });
  await page.getByRole("button", { name: "Create ticket" }).click();
  await page.waitForURL(/\/tickets\/HD-\d+$/);
  await hydrated(page);
  await expect(page.getByTestId("unit-info")).toContainText("RX2-1001 · Router X200 (Router) — under warranty until");
  await expect(page.getByTestId("unit-info")).toContainText("contract: Gold support");
  await expect(page.locator("[data-testid=timeline-entry][data-kind=routed]")).toContainText('Routed by rule "On-site service goes to Field Service"');
});
