// First load of the board as an agent sees it, on an office line.
//
//   node bench/first-load.mjs [http://127.0.0.1:3000]
//
// Needs a running release server with demo data (`make run`) and the Playwright package that
// `make test` installs in end2end/. Prints:
//   - raw and brotli size of every WASM file in target/site/pkg (the first screen's and each chunk),
//   - the bytes transferred to reach an interactive board, on a first visit (empty cache) and on a
//     second visit (same browser profile),
//   - the time from navigation to `data-hydrated=true` on the board, with the network throttled to
//     10 Mbit/s down and up and 40 ms latency (Chrome DevTools Protocol).
// These are measurements, not assertions: compare runs on the same machine.

import { readdirSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { brotliCompressSync, constants } from "node:zlib";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const require = createRequire(join(root, "end2end", "package.json"));
const { chromium } = require("@playwright/test");

const base = process.argv[2] ?? "http://127.0.0.1:3000";
const email = "agent1@demo.test";
const password = "demo1234";
const throttle = { offline: false, latency: 40, downloadThroughput: (10 * 1024 * 1024) / 8, uploadThroughput: (10 * 1024 * 1024) / 8 };

const kb = (bytes) => `${(bytes / 1024).toFixed(1)} KB`;

function wasmSizes() {
  const folder = join(root, "target", "site", "pkg");
  const files = readdirSync(folder).filter((name) => name.endsWith(".wasm"));
  console.log("WASM files in target/site/pkg (raw / brotli q11):");
  let total = 0;
  for (const name of files.sort()) {
    const bytes = readFileSync(join(folder, name));
    const brotli = brotliCompressSync(bytes, { params: { [constants.BROTLI_PARAM_QUALITY]: 11 } }).length;
    total += brotli;
    console.log(`  ${name.padEnd(48)} ${kb(bytes.length).padStart(11)} ${kb(brotli).padStart(11)}`);
  }
  console.log(`  all WASM, brotli: ${kb(total)}`);
}

/** Signs in through the form (outside the measurement) and returns the board's path. */
async function signIn(page) {
  await page.goto(`${base}/login`);
  await page.locator("body[data-hydrated=true]").waitFor({ state: "attached" });
  await page.locator("input[name=email]").fill(email);
  await page.locator("input[name=password]").fill(password);
  await page.getByRole("button", { name: "Sign in" }).click();
  await page.waitForURL((url) => url.pathname === "/");
  const link = page.locator("a[href$='/board']").first();
  return new URL(await link.getAttribute("href"), base).pathname;
}

/** Loads `path` throttled and returns [milliseconds to hydrated, bytes received]. */
async function measure(context, page, path) {
  const cdp = await context.newCDPSession(page);
  await cdp.send("Network.enable");
  await cdp.send("Network.emulateNetworkConditions", throttle);
  let bytes = 0;
  cdp.on("Network.loadingFinished", (event) => (bytes += event.encodedDataLength));
  const started = Date.now();
  await page.goto(`${base}${path}`);
  await page.locator("body[data-hydrated=true]").waitFor({ state: "attached", timeout: 120_000 });
  const elapsed = Date.now() - started;
  await cdp.detach();
  return [elapsed, bytes];
}

wasmSizes();
const browser = await chromium.launch({ executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium", args: ["--no-sandbox", "--disable-gpu"] });
const context = await browser.newContext();
const page = await context.newPage();
const board = await signIn(page);
// Signing in loaded the app once: start the first visit from an empty cache.
const cdp = await context.newCDPSession(page);
await cdp.send("Network.clearBrowserCache");
await cdp.detach();
await page.goto("about:blank");
const [firstMs, firstBytes] = await measure(context, page, board);
await page.goto("about:blank");
const [secondMs, secondBytes] = await measure(context, page, board);
console.log(`Board ${board} at 10 Mbit/s, 40 ms latency:`);
console.log(`  first visit:  ${kb(firstBytes)} transferred, hydrated after ${firstMs} ms`);
console.log(`  second visit: ${kb(secondBytes)} transferred, hydrated after ${secondMs} ms`);
await browser.close();
