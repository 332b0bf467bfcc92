import { expect, test } from "@playwright/test";
import { column, hydrated, login, openBoard } from "./helpers";

async function stageNames(page: import("@playwright/test").Page) {
  return page.getByTestId("stage-column").evaluateAll((columns) => columns.map((c) => c.getAttribute("data-stage-name")));
}

test("a team lead adds, renames, reorders and folds a stage", async ({ page }) => {
  await login(page, "lead@demo.test");
  await openBoard(page, "Field Service");

  await page.getByLabel("Add a stage").fill("Parts ordered");
  await page.getByRole("button", { name: "Add stage" }).click();
  await expect(column(page, "Parts ordered")).toBeVisible();

  await column(page, "Parts ordered").getByRole("button", { name: "Parts ordered" }).click();
  const name = column(page, "Parts ordered").getByLabel("Stage name");
  await name.fill("Waiting for parts");
  await name.press("Enter");
  await expect(column(page, "Waiting for parts")).toBeVisible();

  await column(page, "Waiting for parts").getByRole("button", { name: "Move stage left" }).click();
  await expect.poll(() => stageNames(page)).toEqual(["New", "Scheduled", "On Site", "Waiting for parts", "Done"]);

  await column(page, "Waiting for parts").getByRole("button", { name: "Fold stage" }).click();
  await expect(column(page, "Waiting for parts")).toHaveClass(/folded/);

  await page.reload();
  await hydrated(page);
  expect(await stageNames(page)).toEqual(["New", "Scheduled", "On Site", "Waiting for parts", "Done"]);
  await expect(column(page, "Waiting for parts")).toHaveClass(/folded/);
});

test("agents see the board but no stage controls", async ({ page }) => {
  await login(page, "agent2@demo.test");
  await openBoard(page, "Field Service");
  await expect(page.getByRole("button", { name: "Move stage left" })).toHaveCount(0);
  await expect(page.getByLabel("Add a stage")).toHaveCount(0);
});
