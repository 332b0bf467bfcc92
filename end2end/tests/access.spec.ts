import { expect, test } from "@playwright/test";
import { card, column, hydrated, loggedInPage, openBoard, SAME_ORIGIN } from "./helpers";

test("agent1 cannot open a Finance ticket by URL or by calling the server function", async ({ browser }) => {
  const insider = await loggedInPage(browser, "agent4@demo.test");
  await openBoard(insider, "Finance");
  const financeReference = await column(insider, "New").getByTestId("ticket-card").first().getAttribute("data-ticket-ref");
  expect(financeReference).toMatch(/^HD-\d+$/);
  const financeBoard = new URL(insider.url()).pathname;

  const outsider = await loggedInPage(browser, "agent1@demo.test");
  await outsider.goto(`/tickets/${financeReference}`);
  await hydrated(outsider);
  // Hidden reads exactly like missing: nothing tells that the ticket exists.
  await expect(outsider.getByRole("alert")).toContainText(`Ticket ${financeReference} does not exist.`);
  await expect(outsider.getByTestId("timeline")).toHaveCount(0);

  const direct = await outsider.request.post("/api/ticket", { headers: SAME_ORIGIN, data: { reference: financeReference } });
  expect(direct.status()).toBe(404);
  expect(await direct.json()).toEqual({ NotFound: `Ticket ${financeReference} does not exist.` });

  await outsider.goto(financeBoard);
  await hydrated(outsider);
  const financeId = financeBoard.split("/")[2];
  await expect(outsider.getByRole("alert")).toContainText(`Team ${financeId} does not exist.`);
  await expect(outsider.getByRole("alert")).not.toContainText("Finance");
  await expect(outsider.getByTestId("ticket-card")).toHaveCount(0);

  const move = await outsider.request.post("/api/move_ticket", {
    headers: SAME_ORIGIN,
    data: { reference: financeReference, version: 1, stage_id: 1, before: null },
  });
  expect(move.status()).toBe(404);
  await expect(card(insider, financeReference!)).toBeVisible();
});

test("malformed input to a server function gets a clear 400 error", async ({ browser }) => {
  const page = await loggedInPage(browser, "agent1@demo.test");
  const malformed = await page.request.post("/api/ticket", { headers: SAME_ORIGIN, data: { reference: "DROP TABLE" } });
  expect(malformed.status()).toBe(400);
  expect(await malformed.text()).toContain("is not a ticket reference");
  const broken = await page.request.post("/api/move_ticket", { headers: SAME_ORIGIN, data: { reference: 5 } });
  expect(broken.status()).toBe(400);
});
