import { expect, test } from "@playwright/test";
import { hydrated, loggedInPage, login } from "./helpers";

// Attachments on the ticket page: pick a file, watch the progress bar, see it listed, download
// the same bytes again.
test("an agent uploads a file with progress and downloads the same bytes", async ({ page }) => {
  await login(page, "agent1@demo.test");
  await page.goto("/tickets/HD-1003");
  await hydrated(page);
  const panel = page.getByTestId("attachments-panel");
  await expect(panel).toBeVisible();

  const name = `e2e-notes-${Date.now()}.txt`;
  const content = `Checked the router at ${new Date().toISOString()}\nLink flaps every 5 minutes.\n`;
  await panel.locator("input[type=file]").setInputFiles({ name, mimeType: "text/plain", buffer: Buffer.from(content) });

  // The bar stays (full) once the upload is done.
  const progress = panel.getByTestId("upload-progress");
  await expect(progress).toBeVisible();
  await expect(progress).toHaveAttribute("value", "1");
  const item = panel.getByTestId("attachment").filter({ hasText: name });
  await expect(item).toHaveCount(1);

  const link = item.getByTestId("attachment-download");
  const href = await link.getAttribute("href");
  expect(href).toMatch(/^\/attachments\/\d+$/);
  const response = await page.request.get(href!);
  expect(response.status()).toBe(200);
  expect(response.headers()["content-disposition"]).toContain("attachment;");
  expect(response.headers()["x-content-type-options"]).toBe("nosniff");
  expect(await response.text()).toBe(content);

  // The browser's own download carries the file's name.
  const [download] = await Promise.all([page.waitForEvent("download"), link.click()]);
  expect(download.suggestedFilename()).toBe(name);
});

test("several files at once, and an image gets a thumbnail", async ({ page }) => {
  await login(page, "agent1@demo.test");
  await page.goto("/tickets/HD-1003");
  await hydrated(page);
  const panel = page.getByTestId("attachments-panel");
  // A 1×1 PNG.
  const png = Buffer.from("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==", "base64");
  const stamp = Date.now();
  await panel.locator("input[type=file]").setInputFiles([
    { name: `dot-${stamp}.png`, mimeType: "image/png", buffer: png },
    { name: `readme-${stamp}.txt`, mimeType: "text/plain", buffer: Buffer.from("hello") },
  ]);
  await expect(panel.getByTestId("attachment").filter({ hasText: `readme-${stamp}.txt` })).toHaveCount(1);
  const image = panel.getByTestId("attachment").filter({ hasText: `dot-${stamp}.png` });
  await expect(image.locator("img")).toHaveAttribute("src", /\/attachments\/\d+\/thumbnail$/);
});

test("a file sent with a reply is shown under that reply, to the agent and to the customer", async ({ browser }) => {
  const customer = await loggedInPage(browser, "customer@demo.test");
  await customer.goto("/my/tickets");
  await hydrated(customer);
  const reference = await customer.getByTestId("portal-ticket").first().getAttribute("data-ticket-ref");

  const agent = await loggedInPage(browser, "agent1@demo.test");
  await agent.goto(`/tickets/${reference}`);
  await hydrated(agent);
  const stamp = Date.now();
  const name = `steps-${stamp}.txt`;
  const composer = agent.getByTestId("composer");
  await composer.locator("input[type=file]").setInputFiles({ name, mimeType: "text/plain", buffer: Buffer.from("1. Restart\n2. Update\n") });
  await expect(composer.getByTestId("attachment").filter({ hasText: name })).toHaveCount(1);
  await composer.locator("textarea").fill(`Steps attached ${stamp}`);
  await agent.getByTestId("send-message").click();
  const reply = agent.locator("[data-testid=timeline-entry][data-kind=reply]", { hasText: `Steps attached ${stamp}` });
  await expect(reply.getByTestId("message-files")).toContainText(name);

  await customer.goto(`/my/tickets/${reference}`);
  await hydrated(customer);
  const seen = customer.locator("[data-testid=timeline-entry][data-kind=reply]", { hasText: `Steps attached ${stamp}` });
  const link = seen.getByTestId("message-files").getByTestId("attachment-download");
  await expect(link).toHaveText(name);
  const response = await customer.request.get((await link.getAttribute("href"))!);
  expect(await response.text()).toBe("1. Restart\n2. Update\n");
});
