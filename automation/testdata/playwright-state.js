// Drives Debian's Chromium with playwright-core, for the state
// interoperability test. Usage:
//   node playwright-state.js save APP_URL COOKIE_NAME TOKEN OUT.json
//     puts a session cookie in a fresh context and writes its storageState
//   node playwright-state.js load APP_URL IN.json
//     opens the app with that storageState and prints "signed-in" when the
//     sidebar's Library link shows
const { chromium } = require(process.env.PLAYWRIGHT_CORE);

(async () => {
  const [mode, app, ...rest] = process.argv.slice(2);
  const browser = await chromium.launch({ executablePath: process.env.CHROME_BIN, args: ["--no-sandbox", "--disable-gpu"] });
  try {
    if (mode === "save") {
      const [name, token, out] = rest;
      const context = await browser.newContext();
      const host = new URL(app).hostname;
      await context.addCookies([{ name, value: token, domain: host, path: "/", httpOnly: true, secure: true, sameSite: "Lax" }]);
      const page = await context.newPage();
      await page.goto(app + "/");
      await page.getByRole("link", { name: "Library" }).waitFor({ timeout: 30000 });
      await context.storageState({ path: out });
      console.log("saved");
    } else {
      const [file] = rest;
      const context = await browser.newContext({ storageState: file });
      const page = await context.newPage();
      await page.goto(app + "/");
      await page.getByRole("link", { name: "Library" }).waitFor({ timeout: 30000 });
      console.log("signed-in");
    }
  } finally {
    await browser.close();
  }
})().catch((e) => {
  console.error(String(e));
  process.exit(1);
});
