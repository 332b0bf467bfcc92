import { expect, test } from "@playwright/test";
import { hydrated, loggedInPage } from "./helpers";

test("an agent replies and writes a note; the customer sees the reply, never the note; a colleague sees it live", async ({ browser }) => {
  const stamp = Date.now();
  const noteText = `Internal only ${stamp}: customer is on the old firmware`;
  const replyText = `Public answer ${stamp}: please update the firmware`;

  // A ticket the demo customer follows.
  const customer = await loggedInPage(browser, "customer@demo.test");
  await customer.goto("/my/tickets");
  await hydrated(customer);
  const reference = await customer.getByTestId("portal-ticket").first().getAttribute("data-ticket-ref");
  expect(reference).toMatch(/^HD-\d+$/);

  const agent = await loggedInPage(browser, "agent1@demo.test");
  const lead = await loggedInPage(browser, "lead@demo.test");
  for (const page of [agent, lead]) {
    await page.goto(`/tickets/${reference}`);
    await hydrated(page);
    await expect(page.getByTestId("composer")).toBeVisible();
  }

  // Collision warning: each sees the other, and the lead's typing shows on the agent's page.
  await expect(agent.getByTestId("viewing-hint")).toContainText("Lena");
  await lead.getByTestId("composer").locator("textarea").pressSequentially("I can take th");
  await expect(agent.getByTestId("typing-hint")).toContainText("typing");

  const composer = agent.getByTestId("composer");
  await agent.getByTestId("mode-note").click();
  await expect(composer).toHaveClass(/note/);
  await composer.locator("textarea").fill(noteText);
  await agent.getByTestId("send-message").click();
  const note = agent.locator("[data-testid=timeline-entry][data-kind=note]", { hasText: noteText });
  await expect(note).toBeVisible();
  await expect(note).toContainText("Internal note");

  await agent.getByTestId("mode-reply").click();
  await composer.locator("textarea").fill(replyText);
  await agent.getByTestId("send-message").click();
  await expect(agent.locator("[data-testid=timeline-entry][data-kind=reply]", { hasText: replyText })).toBeVisible();
  await expect(composer.locator("textarea")).toHaveValue("");

  // The lead's page shows both without a reload.
  await expect(lead.locator("[data-testid=timeline-entry][data-kind=reply]", { hasText: replyText })).toBeVisible();
  await expect(lead.locator("[data-testid=timeline-entry][data-kind=note]", { hasText: noteText })).toBeVisible();

  // The customer: the reply, and the note nowhere in the page.
  await customer.goto(`/tickets/${reference}`);
  await customer.waitForURL(new RegExp(`/my/tickets/${reference}$`));
  await hydrated(customer);
  await expect(customer.locator("[data-testid=timeline-entry][data-kind=reply]", { hasText: replyText })).toBeVisible();
  expect(await customer.content()).not.toContain(noteText);
  await expect(customer.locator("[data-testid=timeline-entry][data-kind=note]")).toHaveCount(0);
  await expect(customer.getByTestId("mode-note")).toHaveCount(0);

  // The customer answers; the agent sees it arrive.
  const answer = `Customer answer ${stamp}`;
  await customer.getByTestId("composer").locator("textarea").fill(answer);
  await customer.getByTestId("send-message").click();
  await expect(customer.locator("[data-testid=timeline-entry][data-kind=reply]", { hasText: answer })).toBeVisible();
  await expect(agent.locator("[data-testid=timeline-entry][data-kind=reply]", { hasText: answer })).toBeVisible();
});

test("a reply's author edits it and the earlier wording stays in its history", async ({ browser }) => {
  const agent = await loggedInPage(browser, "agent1@demo.test");
  await agent.goto("/tickets/HD-1001");
  await hydrated(agent);
  const stamp = Date.now();
  await agent.getByTestId("mode-note").click();
  await agent.getByTestId("composer").locator("textarea").fill(`Frist draft ${stamp}`);
  await agent.getByTestId("send-message").click();
  const entry = agent.locator("[data-testid=timeline-entry][data-kind=note]", { hasText: `Frist draft ${stamp}` });
  await expect(entry).toBeVisible();
  await entry.getByTestId("edit-message").click();
  await entry.locator("textarea").fill(`First draft ${stamp}`);
  await entry.getByRole("button", { name: "Save message" }).click();
  const edited = agent.locator("[data-testid=timeline-entry][data-kind=note]", { hasText: `First draft ${stamp}` });
  await expect(edited).toContainText("(edited)");
  await edited.getByText("Earlier versions (1)").click();
  await expect(edited.locator(".revisions")).toContainText(`Frist draft ${stamp}`);
});
