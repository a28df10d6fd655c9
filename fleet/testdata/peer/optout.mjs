// optout.mjs: the Playwright peer of `chatgpt-optout enforce`, for
// BenchmarkPeer (../../peer_bench_test.go). It is the script a careful
// engineer writes for the same job, the same way: one headless browser
// (Debian's Chromium), a fresh context per account, at most N accounts at
// a time; for each account it signs in through the login origin, opens
// Settings → Data controls through the profile menu, switches "Improve the
// model for everyone" off when it is on, and reads it back. Playwright's own
// locators (getByRole, getByLabel) with their auto-waiting, no fixed sleeps.
//
// Usage:
//   node optout.mjs --base-url URL --accounts FILE [--parallel N] [--chromium PATH]
// or the environment: BASE_URL, ACCOUNTS, PARALLEL, CHROME_BIN. PLAYWRIGHT_CORE
// is the playwright-core folder (scripts/ensure-playwright installs it);
// without it `playwright-core` is imported by name.
//
// FILE is JSON: [{"email": "...", "password": "..."}, ...].
// Prints a JSON line per account ({"email", "ok", "before", "after",
// "timings_ms"} or {"email", "ok": false, "error"}) and a summary line
// ({"summary": true, ...}); exits 1 when an account failed, 2 on bad input.

import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { parseArgs } from 'node:util';

const { values: args } = parseArgs({
  options: {
    'base-url': { type: 'string', default: process.env.BASE_URL },
    accounts: { type: 'string', default: process.env.ACCOUNTS },
    parallel: { type: 'string', default: process.env.PARALLEL || '4' },
    chromium: { type: 'string', default: process.env.CHROME_BIN || '/usr/bin/chromium' },
  },
});
const base = (args['base-url'] || '').replace(/\/+$/, '');
const parallel = Number.parseInt(args.parallel, 10);
if (!base || !args.accounts || !(parallel >= 1)) {
  console.error('usage: node optout.mjs --base-url URL --accounts FILE [--parallel N] [--chromium PATH]');
  process.exit(2);
}
const accounts = JSON.parse(readFileSync(args.accounts, 'utf8'));

const require = createRequire(import.meta.url);
const { chromium } = require(process.env.PLAYWRIGHT_CORE || 'playwright-core');

const LABEL = 'Improve the model for everyone';

// optOut runs one account in a context of its own and returns what it saw.
async function optOut(browser, { email, password }) {
  const t = {};
  let mark = Date.now();
  const lap = (name) => { const now = Date.now(); t[name] = now - mark; mark = now; };
  const context = await browser.newContext();
  try {
    const page = await context.newPage();

    // Sign in. The app's "Log in" goes to the login origin's /log-in, whose
    // email form shows after the page hydrates (getByLabel waits for it);
    // both forms keep their Continue aria-disabled until the invisible
    // captcha's token is in, and Playwright's click waits for it to be
    // enabled. Then /log-in/password, and back to the app.
    await page.goto(base + '/');
    await page.getByRole('button', { name: 'Log in', exact: true }).click();
    await page.getByLabel('Email address').fill(email);
    await page.getByRole('button', { name: 'Continue', exact: true }).click();
    await page.getByLabel('Password', { exact: true }).fill(password);
    await page.getByRole('button', { name: 'Continue', exact: true }).click();
    await page.waitForURL(base + '/');
    await page.getByRole('link', { name: 'Library' }).waitFor(); // signed in
    lap('login');

    // Settings → Data controls, through the profile menu (the visible
    // trigger, "NAME PLAN, open profile menu"), as a person goes.
    const openRow = async () => {
      await page.getByRole('tab', { name: 'Data controls' }).click();
      await page.getByRole('button', { name: new RegExp('^' + LABEL) }).click();
      return page.getByRole('switch', { name: LABEL });
    };
    await page.getByRole('button', { name: /, open profile menu$/ }).click();
    await page.getByRole('menuitem', { name: 'Settings' }).click();
    let toggle = await openRow();
    const before = await toggle.getAttribute('aria-checked');
    lap('navigation');

    if (before === 'true') {
      await toggle.click();
      // The switch flips once the backend answered: wait for it, never
      // click again meanwhile.
      await page.getByRole('switch', { name: LABEL, checked: false }).waitFor();
    } else if (before !== 'false') {
      throw new Error(`the switch reads aria-checked=${before}`);
    }
    lap('toggle');

    // A change is read back after a reload, as the tool does, so that the
    // two do the same work: the aria-checked above is the page's word after
    // the click, the reloaded page's is the site's. (Like the tool, nothing
    // is reloaded when the switch was off already.) The URL keeps
    // #settings/DataControls, so the app reopens the settings there.
    let after = 'false';
    if (before === 'true') {
      await page.reload();
      toggle = await openRow();
      after = await toggle.getAttribute('aria-checked');
      lap('verify');
    }
    if (after !== 'false') {
      throw new Error(`the switch reads aria-checked=${after} after a reload`);
    }
    return { email, ok: true, before: before === 'true' ? 'on' : 'off', after: 'off', timings_ms: t };
  } finally {
    await context.close();
  }
}

const start = Date.now();
const browser = await chromium.launch({
  executablePath: args.chromium,
  headless: true,
  // Chromium's sandbox cannot start as root.
  args: process.getuid && process.getuid() === 0 ? ['--no-sandbox'] : [],
});
let ok = 0;
let failed = 0;
try {
  // A pool of N workers over the accounts: at most N contexts at once.
  let next = 0;
  const worker = async () => {
    while (next < accounts.length) {
      const a = accounts[next++];
      const t0 = Date.now();
      let line;
      try {
        line = await optOut(browser, a);
        ok++;
      } catch (e) {
        line = { email: a.email, ok: false, error: String(e && e.message ? e.message : e).split('\n')[0] };
        failed++;
      }
      line.ms = Date.now() - t0;
      console.log(JSON.stringify(line));
    }
  };
  await Promise.all(Array.from({ length: Math.min(parallel, accounts.length) }, worker));
} finally {
  await browser.close();
}
console.log(JSON.stringify({ summary: true, accounts: accounts.length, ok, failed, parallel, wall_ms: Date.now() - start }));
process.exit(failed > 0 || ok !== accounts.length ? 1 : 0);
