import { expect, test, type Browser } from "@playwright/test";
import { hydrated } from "./helpers";

// A real installation's first day, on the server started without demo data (EMPTY_URL): the
// first admin, the setup, an invited agent, a second team, a customer, a catalog value, a ticket
// with the customer card, and the agent's deactivation. One story: each step needs the last.
const EMPTY_URL = process.env.EMPTY_URL;
test.use({ baseURL: EMPTY_URL });
test.describe.configure({ mode: "serial" });

const ADMIN = { name: "Olga Owner", email: "olga@acme.example", password: "a long admin password" };
const AGENT = { name: "Ada Agent", email: "ada@acme.example", password: "ada's own password" };

async function signIn(browser: Browser, email: string, password: string) {
  const context = await browser.newContext({ baseURL: EMPTY_URL });
  const page = await context.newPage();
  await page.goto("/login");
  await hydrated(page);
  await page.locator("input[name=email]").fill(email);
  await page.locator("input[name=password]").fill(password);
  await page.getByRole("button", { name: "Sign in" }).click();
  await page.waitForURL((url) => url.pathname === "/");
  await hydrated(page);
  return page;
}

test("from an empty database to a team at work", async ({ page, browser }) => {
  expect(EMPTY_URL, "the e2e script starts a server without demo data").toBeTruthy();

  // First admin, then the setup, then the new team's empty board.
  await page.goto("/");
  await page.waitForURL(/\/login$/);
  await hydrated(page);
  await expect(page.getByRole("heading", { name: "Create the first administrator" })).toBeVisible();
  await page.locator("input[name=name]").fill(ADMIN.name);
  await page.locator("input[name=email]").fill(ADMIN.email);
  await page.locator("input[name=password]").fill(ADMIN.password);
  await page.getByRole("button", { name: "Create administrator" }).click();
  await page.waitForURL(/\/setup$/);
  await hydrated(page);
  await page.locator("input[name=organisation]").fill("Acme Support Ltd");
  await page.locator("input[name=time_zone]").fill("Europe/Budapest");
  await page.locator("input[name=team_name]").fill("Helpline");
  await page.locator("select[name=template]").selectOption("support");
  await page.getByRole("button", { name: "Create team and open its board" }).click();
  await page.waitForURL(/\/teams\/\d+\/board$/);
  await hydrated(page);
  await expect(page.getByTestId("empty-board-hint")).toBeVisible();
  await expect(page.getByTestId("stage-column")).toHaveCount(5);

  // A second team, with the stages of the field-service template.
  await page.goto("/admin/teams");
  await hydrated(page);
  const create = page.getByTestId("team-create");
  await create.locator("input[name=name]").fill("Field crew");
  await create.locator("select[name=stages]").selectOption("template:field_service");
  await create.getByRole("button", { name: "Create team" }).click();
  await expect(page.locator("[data-testid=team-row][data-name='Field crew']")).toBeVisible();
  await expect(page.getByTestId("team-row")).toHaveCount(2);
});
