import { expect, type Browser, type Page } from "@playwright/test";

export const PASSWORD = "demo1234";

/** What a page's own fetch carries. Playwright's `request` API is a Node client that sends
 *  neither Sec-Fetch-Site nor Origin, and the server refuses state-changing requests without
 *  them (cross-site request protection). */
export const SAME_ORIGIN = { "Sec-Fetch-Site": "same-origin" };

/** Waits until the WASM app has hydrated, so that clicks reach Rust event handlers. */
export async function hydrated(page: Page) {
  await expect(page.locator("body")).toHaveAttribute("data-hydrated", "true");
}

export async function login(page: Page, email: string, password = PASSWORD) {
  await page.goto("/login");
  await hydrated(page);
  await page.locator("input[name=email]").fill(email);
  await page.locator("input[name=password]").fill(password);
  await page.getByRole("button", { name: "Sign in" }).click();
  // Staff land on their teams, customers on their tickets.
  await page.waitForURL((url) => url.pathname === "/" || url.pathname === "/my/tickets");
  await hydrated(page);
}

/** A fresh browser context (own cookies) logged in as `email`. */
export async function loggedInPage(browser: Browser, email: string) {
  const context = await browser.newContext();
  const page = await context.newPage();
  await login(page, email);
  return page;
}

/** Opens a team's board from the home page by the team's name. */
export async function openBoard(page: Page, teamName: string) {
  await page.goto("/");
  await hydrated(page);
  await page.getByRole("link", { name: new RegExp(`^${teamName}\\b`) }).click();
  await page.waitForURL(/\/teams\/\d+\/board$/);
  await hydrated(page);
  await expect(page.getByTestId("stage-column").first()).toBeVisible();
}

export function column(page: Page, stageName: string) {
  return page.locator(`[data-testid=stage-column][data-stage-name="${stageName}"]`);
}

export function card(page: Page, reference: string) {
  return page.locator(`[data-testid=ticket-card][data-ticket-ref="${reference}"]`);
}

/** Creates a ticket through the board's quick-create and returns its reference. */
export async function quickCreate(page: Page, title: string): Promise<string> {
  const input = page.getByPlaceholder("Quick add a ticket…");
  await input.fill(title);
  await input.press("Enter");
  const created = page.locator("[data-testid=ticket-card]", { hasText: title });
  await expect(created).toHaveCount(1);
  const reference = await created.getAttribute("data-ticket-ref");
  expect(reference).toMatch(/^HD-\d+$/);
  return reference!;
}

/** Fills the resolution dialog that a move into a solved stage opens, and confirms it. */
export async function resolveInDialog(page: Page, code = "Fixed", note = "Fixed and confirmed with the customer.") {
  const dialog = page.getByTestId("resolution-dialog");
  await expect(dialog).toBeVisible();
  await dialog.locator("select[name=resolution_code]").selectOption({ label: code });
  await dialog.locator("textarea[name=resolution_note]").fill(note);
  await dialog.getByTestId("resolve-confirm").click();
  await expect(dialog).toHaveCount(0);
}
