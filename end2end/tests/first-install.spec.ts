import { expect, test } from "@playwright/test";
import { hydrated } from "./helpers";

// A real installation's first day, on the server started without demo data (EMPTY_URL): the
// first admin, the setup, an invited agent, a second team, a customer, a catalog value, a ticket
// with the customer card, and the agent's deactivation. One story: each step needs the last.
const EMPTY_URL = process.env.EMPTY_URL;
test.use({ baseURL: EMPTY_URL });
test.describe.configure({ mode: "serial" });

const ADMIN = { name: "Olga Owner", email: "olga@acme.example", password: "a long admin password" };
const AGENT = { name: "Ada Agent", email: "ada@acme.example", password: "ada's own password" };

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

  // Invite an agent: the one-time link sets her password and signs her in.
  await page.goto("/admin/users");
  await hydrated(page);
  await page.locator("input[name=name]").fill(AGENT.name);
  await page.locator("input[name=email]").fill(AGENT.email);
  await page.locator("[data-testid=invite-form] button[type=submit]").click();
  const link = (await page.getByTestId("invite-link").textContent())!.trim();
  expect(link).toMatch(/\/invite\/[\w-]+$/);
  const agentContext = await browser.newContext({ baseURL: EMPTY_URL });
  const agent = await agentContext.newPage();
  await agent.goto(link);
  await hydrated(agent);
  await agent.locator("input[name=password]").fill(AGENT.password);
  await agent.locator("input[name=password_confirmation]").fill(AGENT.password);
  await agent.locator("button[type=submit]").click();
  await agent.waitForURL((url) => url.pathname === "/");
  await hydrated(agent);
  await expect(agent.getByRole("link", { name: /^Helpline\b/ })).toBeVisible();
  // The link works once.
  const again = await browser.newContext({ baseURL: EMPTY_URL });
  const replay = await again.newPage();
  await replay.goto(link);
  await hydrated(replay);
  await replay.locator("input[name=password]").fill("someone else's password");
  await replay.locator("input[name=password_confirmation]").fill("someone else's password");
  await replay.locator("button[type=submit]").click();
  await expect(replay.getByRole("alert")).toBeVisible();
  await again.close();

  // A customer account with a contact.
  await page.goto("/customers");
  await hydrated(page);
  await page.getByTestId("tab-accounts").click();
  await page.getByTestId("new-account").click();
  await page.locator("[data-testid=account-form] input[name=name]").fill("Globex");
  await page.locator("[data-testid=account-form] input[name=phone]").fill("+1 555 0199");
  await page.getByTestId("save-account").click();
  await expect(page.locator('[data-testid=account-row][data-name="Globex"]')).toBeVisible();
  await page.getByTestId("tab-contacts").click();
  await page.getByTestId("new-contact").click();
  await page.locator("[data-testid=contact-form] input[name=name]").fill("Hank Scorpio");
  await page.locator("[data-testid=contact-form] input[name=phone]").fill("+1 555 0100");
  await page.locator("[data-testid=contact-form] select[name=account]").selectOption({ label: "Globex" });
  await page.getByTestId("save-contact").click();
  await expect(page.locator('[data-testid=contact-row][data-name="Hank Scorpio"]')).toBeVisible();

  // A subject in the catalog.
  await page.goto("/admin/catalogs?kind=subjects");
  await hydrated(page);
  const add = page.getByTestId("catalog-add");
  await add.locator("input[name=name]").fill("Printer jams");
  await add.getByRole("button", { name: "Add" }).click();
  await expect(page.locator('[data-testid=catalog-value][data-name="Printer jams"]')).toBeVisible();

  // The agent files two tickets for Hank; the second one's customer card shows his phone and
  // the first ticket among his recent ones: a repeat problem is seen at once.
  const references: string[] = [];
  for (const title of ["Printer jams on every print", "Printer jams again"]) {
    await agent.goto("/tickets/new");
    await hydrated(agent);
    await agent.getByLabel("Title").fill(title);
    await agent.getByLabel("Team").selectOption({ label: "Helpline" });
    await agent.getByLabel("Customer", { exact: true }).fill("Hank");
    await agent.getByRole("button", { name: /Hank Scorpio · Globex/ }).click();
    await agent.locator("#subject").selectOption({ label: "Printer jams" });
    if (references.length === 1) await agent.getByLabel("Assignee").selectOption({ label: AGENT.name });
    await agent.getByRole("button", { name: "Create ticket" }).click();
    await agent.waitForURL(/\/tickets\/HD-\d+$/);
    await hydrated(agent);
    await expect(agent.locator("#subject option:checked")).toHaveText("Printer jams");
    references.push(new URL(agent.url()).pathname.split("/").pop()!);
  }
  const card = agent.getByTestId("customer-card");
  await expect(card.getByTestId("customer-phone")).toContainText("+1 555 0100");
  await expect(card.locator(`[data-testid=recent-tickets] a[data-ticket-ref="${references[0]}"]`)).toBeVisible();

  // Ada leaves: deactivated, she is signed out, cannot sign in, and is no longer offered.
  await page.goto("/admin/users");
  await hydrated(page);
  await page.locator(`[data-testid=user-row][data-email="${AGENT.email}"] a`).first().click();
  await page.waitForURL(/\/admin\/users\/\d+$/);
  await hydrated(page);
  await page.getByTestId("deactivate").click();
  await page.getByTestId("confirm-deactivate").click();
  await expect(page.locator(`[data-testid=reassign-list] a[href="/tickets/${references[1]}"]`)).toBeVisible();
  await agent.goto("/");
  await agent.waitForURL(/\/login$/);
  await hydrated(agent);
  await agent.locator("input[name=email]").fill(AGENT.email);
  await agent.locator("input[name=password]").fill(AGENT.password);
  await agent.getByRole("button", { name: "Sign in" }).click();
  await expect(agent.getByRole("alert")).toBeVisible();
  await expect(agent).toHaveURL(/\/login$/);
  await agentContext.close();

  await page.goto(`/tickets/${references[0]}`);
  await hydrated(page);
  const offered = await page.locator("#assignee option").allTextContents();
  expect(offered).toContain(ADMIN.name);
  expect(offered).not.toContain(AGENT.name);
});
