import { expect, test } from "@playwright/test";
import { hydrated, login, loggedInPage } from "./helpers";

// The knowledge base: a lead writes a draft, publishes it, finds it by search and links it to a
// ticket; the customer reads published articles only.
test("a lead writes, publishes, finds and links an article; customers see it once published", async ({ page, browser }) => {
  const title = `Reset the modem ${Date.now()}`;
  await login(page, "lead@demo.test");
  await page.goto("/kb/new");
  await hydrated(page);
  await page.locator("input[name=title]").fill(title);
  await page.locator("input[name=category]").fill("Network");
  await page.locator("textarea[name=body]").fill("Unplug the modem for **30 seconds**.\n\n<script>window.hacked = 1</script>");
  await page.getByTestId("save-article").click();
  await page.waitForURL(/\/kb\/\d+$/);
  await hydrated(page);
  const articleUrl = new URL(page.url()).pathname;
  await expect(page.getByTestId("article-title")).toHaveText(title);
  await expect(page.getByTestId("article-body").locator("strong")).toHaveText("30 seconds");
  expect(await page.getByTestId("article-body").innerHTML()).not.toContain("<script");
  await expect(page.getByTestId("draft-badge")).toBeVisible();

  // A draft is not there for the customer.
  const customer = await loggedInPage(browser, "customer@demo.test");
  await customer.goto("/kb");
  await hydrated(customer);
  await customer.getByTestId("kb-search").fill(title);
  await expect(customer.getByText("No articles match.")).toBeVisible();
  await expect(customer.getByTestId("draft-badge")).toHaveCount(0);

  // Publish it.
  await page.getByTestId("edit-article").click();
  await page.waitForURL(/\/edit$/);
  await hydrated(page);
  await page.locator("input[name=published]").check();
  await page.getByTestId("save-article").click();
  await page.waitForURL((url) => url.pathname === articleUrl);
  await hydrated(page);
  await expect(page.getByTestId("draft-badge")).toHaveCount(0);

  // Staff find it by a word of its text.
  await page.goto("/kb");
  await hydrated(page);
  await page.getByTestId("kb-search").fill("modem for");
  await expect(page.getByTestId("kb-article").filter({ hasText: title })).toHaveCount(1);

  // Link it to a ticket.
  await page.goto("/tickets/HD-1003");
  await hydrated(page);
  const panel = page.getByTestId("kb-links");
  await panel.getByTestId("kb-link-search").fill(title);
  await panel.getByTestId("article-result").filter({ hasText: title }).getByRole("button", { name: "Link" }).click();
  await expect(panel.getByTestId("linked-article").filter({ hasText: title })).toHaveCount(1);
  await page.reload();
  await hydrated(page);
  await expect(page.getByTestId("linked-article").filter({ hasText: title })).toHaveCount(1);

  // The customer finds it now, and reads it.
  await customer.goto("/kb");
  await hydrated(customer);
  await customer.getByTestId("kb-search").fill(title);
  await customer.getByTestId("kb-article").filter({ hasText: title }).getByRole("link", { name: title }).click();
  await customer.waitForURL((url) => url.pathname === articleUrl);
  await expect(customer.getByTestId("article-title")).toHaveText(title);
  await expect(customer.getByTestId("edit-article")).toHaveCount(0);
});

test("customers never see drafts, not even by address", async ({ page }) => {
  await login(page, "customer@demo.test");
  await page.goto("/kb");
  await hydrated(page);
  await expect(page.getByTestId("kb-article").first()).toBeVisible();
  await expect(page.getByTestId("draft-badge")).toHaveCount(0);
  await expect(page.getByText("Two-factor codes arrive late")).toHaveCount(0);
  // The demo's drafts are the last two articles.
  await page.goto("/kb/5");
  await hydrated(page);
  await expect(page.getByRole("alert")).toContainText("does not exist");
});
