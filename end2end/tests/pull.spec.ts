import { expect, test } from "@playwright/test";
import { hydrated, login } from "./helpers";

/** Presses "Pick up next ticket" on the home page; returns the claimed reference, or null when none is left. */
async function pull(page: import("@playwright/test").Page): Promise<string | null> {
  await page.goto("/");
  await hydrated(page);
  await page.getByTestId("pull-next").click();
  const outcome = await Promise.race([
    page.waitForURL(/\/tickets\/HD-\d+$/).then(() => "ticket"),
    page.getByText("No waiting ticket in your teams matches your qualifications.").waitFor().then(() => "none"),
  ]);
  if (outcome === "none") return null;
  await hydrated(page);
  return new URL(page.url()).pathname.split("/").pop()!;
}

test("pull-next hands out each waiting ticket once, and only to qualified agents", async ({ browser }) => {
  test.setTimeout(120_000);
  const unqualified = await (await browser.newContext()).newPage();
  await login(unqualified, "agent2@demo.test");
  const pulledByAgent2: string[] = [];
  for (let i = 0; i < 60; i++) {
    const reference = await pull(unqualified);
    if (!reference) break;
    await expect(unqualified.getByTestId("ticket-status")).toHaveText("Active – Assigned");
    await expect(unqualified.locator("[data-testid=timeline-entry][data-kind=assigned]").first()).toContainText("Picked up by Jonas Becker");
    pulledByAgent2.push(reference);
  }
  expect(pulledByAgent2.length).toBeGreaterThan(0);
  expect(new Set(pulledByAgent2).size).toBe(pulledByAgent2.length);

  // What is left needs Networking 7: agent1 (8) gets it, agent2 (4) never did.
  const qualified = await (await browser.newContext()).newPage();
  await login(qualified, "agent1@demo.test");
  const reference = await pull(qualified);
  expect(reference).not.toBeNull();
  expect(pulledByAgent2).not.toContain(reference);
  await expect(qualified.locator("[data-testid=timeline-entry][data-kind=assigned]").first()).toContainText("Picked up by Mia Wagner");
});
