import { expect, test, type Page } from "@playwright/test";
import { hydrated, login } from "./helpers";

/** Calls a server function from the page, as the app does (same origin, the user's cookie). */
async function call(page: Page, endpoint: string, args: object) {
  return page.evaluate(
    async ([endpoint, args]) => {
      const response = await fetch(`/api/${endpoint}`, {
        method: "POST",
        headers: { "Content-Type": "application/json" },
        body: JSON.stringify(args),
      });
      return { status: response.status, body: await response.json().catch(() => null) };
    },
    [endpoint, args] as const,
  );
}

test("a customer sees their own tickets in the portal, never the staff view", async ({ page }) => {
  await login(page, "customer@demo.test");
  await page.goto("/");
  await page.waitForURL(/\/my\/tickets$/);
  await hydrated(page);
  const rows = page.getByTestId("portal-ticket");
  await expect(rows.first()).toBeVisible();
  const reference = await rows.first().getAttribute("data-ticket-ref");
  expect(reference).toMatch(/^HD-\d+$/);

  // The staff address of a ticket leads a customer to their portal view of it.
  await page.goto(`/tickets/${reference}`);
  await page.waitForURL(new RegExp(`/my/tickets/${reference}$`));
  await hydrated(page);
  await expect(page.getByRole("heading", { name: "Your request" })).toBeVisible();
  const entries = page.locator("[data-testid=timeline] [data-testid=timeline-entry]");
  await expect(entries.first()).toBeVisible();
  for (const kind of await entries.evaluateAll((items) => items.map((item) => item.getAttribute("data-kind")))) {
    expect(["created", "moved", "reply"]).toContain(kind);
  }
  // No staff controls or internal data on the page.
  await expect(page.getByRole("button", { name: "Save" })).toHaveCount(0);
  await expect(page.getByRole("link", { name: "Routing" })).toHaveCount(0);

  // Someone else's ticket reads exactly like one that does not exist.
  const listed = await rows.evaluateAll((items) => items.map((item) => item.getAttribute("data-ticket-ref")));
  const missing = await call(page, "portal_ticket", { reference: "HD-999999" });
  expect(missing.status).toBe(404);
  for (let number = 1001; number < 1030; number++) {
    const other = `HD-${number}`;
    if (listed.includes(other)) continue;
    const hidden = await call(page, "portal_ticket", { reference: other });
    expect(hidden).toEqual({ status: 404, body: { NotFound: `Ticket ${other} does not exist.` } });
    break;
  }
  // The staff view of their own ticket is not theirs either.
  expect((await call(page, "ticket", { reference })).status).toBe(403);
});
