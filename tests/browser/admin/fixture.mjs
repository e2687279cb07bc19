// What every page file of the web admin's browser test (tests/browser/admin/*.mjs, run in order by
// ../admin_pages.mjs) shares: the run's configuration, the administrator and facility the run sets up, the
// signed-in browser handed from page file to page file, and the helpers for the page's views.
//
// The gateway is started once, by the Python side (tests/integration/test_admin_pages.py); Chromium is
// started once here. The administrator's browser is signed in once, by the first-run wizard (auth.mjs,
// first in the run), and every later page file gets that signed-in page as `fx.page`. When the Python side
// stops the gateway from outside, the page file asks for a new browser first (`fx.reopen`).

import {
  check, checkConsole, env, onSession, openPage, screenshot, step, textTables, withChromium,
} from '../browser_kit.mjs';

export const ADMIN = { username: 'it-tanaka', display: '田中 一郎', password: 'Hashi-Kanrisha-2026!' };
export const OPERATOR = { username: 'reception', display: '受付 花子', password: 'Uketsuke-Mado-2026?' };
export const FACILITY_NAME = '架け橋訪問クリニック';
export const FACILITY_RENAMED = '架け橋在宅クリニック';
export const INSTITUTION_CODE = '1312345679';
// Chromium reports every 4xx answer of fetch as a console error; these are the ones the steps provoke.
// While the appliance restarts after the restore, the page's polls find nobody listening.
export const EXPECTED_CONSOLE = new RegExp('^Failed to load resource: (the server responded with a status of (401|403|404|409|422|423|429) '
  + '|net::ERR_(CONNECTION_REFUSED|CONNECTION_RESET|CONNECTION_CLOSED|EMPTY_RESPONSE))');
export const WIZARD_CLIENT = 'rececon-wizard';  // the API client made in the wizard (auth.mjs), used again by channels.mjs
export const BACKUP_PASSPHRASE = '架け橋の合言葉-2026-backup';  // backup.mjs seals with it, auth.mjs restores a wiped box
export const TOKEN = /^kkh_[0-9a-f]{64}$/;
export const TEXTS = { keyPrefix: 'admin' };  // besides the data-i18n elements, no admin.… key as text anywhere

// The run's configuration, from the environment (see ../admin_pages.mjs); filled as the run starts.
export const config = {};

const readConfig = () => ({
  url: env('KAKEHASHI_ADMIN_URL').replace(/\/$/, ''),
  setupCode: env('SETUP_CODE'),
  shots: env('SCREENSHOT_DIR'),
  markers: env('MARKER_DIR'),
  p12: env('CLIENT_P12'),
  p12Passphrase: env('CLIENT_P12_PASSPHRASE'),
  p12Rollback: env('CLIENT_P12_ROLLBACK'),
  centralCa: env('CENTRAL_CA'),
  pluginSecret: env('PLUGIN_SECRET'),
  chromium: env('CHROMIUM', '/usr/bin/chromium'),
});

// --- steps that do not stop the run -------------------------------------------------------------------------

// A step of a view that does not depend on the others: its failure is recorded and the run goes on, so
// one broken view does not hide the state of the rest; the run still fails at the end.
export const failures = [];

export async function independentStep(page, name, fn) {
  try {
    await step(name, fn);
  } catch (e) {
    const message = e && e.message ? e.message : String(e);
    failures.push(`${name}: ${message}`);
    console.log(`FAIL ${name}: ${message}`);
    await screenshot(page, `failure-${failures.length}`).catch(() => {});
  }
}

// --- the page -------------------------------------------------------------------------------------------------

export const text = async (page, selector) => (await page.locator(selector).innerText()).trim();

export async function visible(page, selector, timeout = 15000) {
  await page.locator(selector).first().waitFor({ state: 'visible', timeout });
}

export async function waitForText(page, selector, expected, timeout = 15000) {
  await page.locator(selector).filter({ hasText: expected }).first().waitFor({ state: 'visible', timeout });
}

export async function openView(page, view) {
  const viewport = page.viewportSize();
  if (viewport.width <= 900) {
    await page.click('#nav-toggle');
    await visible(page, `#nav a[data-view="${view}"]`);
  }
  await page.click(`#nav a[data-view="${view}"]`);
  await visible(page, `#view-${view}`);
  check(await page.locator(`#nav a[data-view="${view}"]`).getAttribute('aria-current') === 'page', `${view} is not marked current`);
}

export async function qrShown(page, selector) {
  await visible(page, selector);
  const size = await page.locator(selector).evaluate(async (img) => {
    if (!img.complete) await new Promise((resolve) => img.addEventListener('load', resolve, { once: true }));
    return { natural: img.naturalWidth, shown: img.getBoundingClientRect().width, src: img.src.slice(0, 26) };
  });
  check(size.natural > 0 && size.shown >= 150, `the QR code is not drawn: ${JSON.stringify(size)}`);
  check(size.src === 'data:image/svg+xml;charset', `the QR code is not an SVG image: ${size.src}`);
}

export async function answerOf(page, urlPart, action) {
  const [res] = await Promise.all([
    page.waitForResponse((r) => r.url().includes(urlPart) && r.request().method() !== 'GET'),
    action(),
  ]);
  return res;
}

export async function signIn(page, user) {
  await visible(page, '#view-login');
  await page.fill('#login-username', user.username);
  await page.fill('#login-password', user.password);
  await page.click('#login-form button[type="submit"]');
}

// Signs in again after a restart when the page asks for it (the session may have outlived the restart).
export async function signInIfAsked(page, authenticator) {
  await page.waitForFunction(() => ['view-login', 'nav'].some((id) => document.getElementById(id) && !document.getElementById(id).hidden));
  if (await page.locator('#view-login').isHidden()) return;
  await signIn(page, ADMIN);
  await visible(page, '#view-second');
  await page.fill('#second-code', await authenticator.next());
  await page.click('#second-form button[type="submit"]');
  await visible(page, '#nav');
}

// --- browsers --------------------------------------------------------------------------------------------------

// One browser: its own cookies and its own connections to the appliance (HTTPS with the box's own
// certificate); its console watched and its page loads counted, so a reload shows.
export async function openBrowser(browser, label, options = {}) {
  const session = await openPage(browser, { ignoreHTTPSErrors: true, ...options });
  const { page, seen } = session;
  Object.assign(seen, { label, navigations: 0 });
  page.on('framenavigated', (frame) => {
    if (frame === page.mainFrame()) seen.navigations += 1;
  });
  return session;
}

// The administrator's browser may use the clipboard (the channels view copies a token).
const ADMIN_BROWSER = { permissions: ['clipboard-read', 'clipboard-write'] };

// Before the Python side stops the gateway from outside, the browser closes and lets go of its connections:
// the appliance's stop waits for a connection the browser opened but sent nothing on (up to the listener's
// read timeout). The next page file opens the browser again, with the cookies it had (the session outlives
// a restart) or without (a wiped box knows no session).
async function closeBrowser(session) {
  checkConsole(session.seen, EXPECTED_CONSOLE);
  const state = await session.context.storageState();
  await session.context.close();
  return state;
}

// The administrator's side of the run, handed to each page file: the browser, the text tables, the
// administrator's session (`page`, `seen`) and what page files leave for later ones (`authenticator`,
// the API tokens shown in `tokens`, the downloaded `backupFile`).
class Fixture {
  constructor(browser, session, tables) {
    Object.assign(this, { browser, session, tables, authenticator: null, tokens: {}, backupFile: null });
  }

  get page() {
    return this.session.page;
  }

  get seen() {
    return this.session.seen;
  }

  // A new administrator's browser, after the old one was closed (its console checked): with its cookies,
  // or as a new machine without.
  async reopen(label, { keepCookies = false } = {}) {
    const cookies = await closeBrowser(this.session);
    this.session = await openBrowser(this.browser, label, { ...ADMIN_BROWSER, ...(keepCookies ? { storageState: cookies } : {}) });
  }
}

// Reads the configuration, starts Chromium once and opens the administrator's browser, and hands the
// fixture to `run`; on a failure the page of the moment is kept as failure.png. The run fails at the end
// when an independent step failed.
export async function withAdministrator(run) {
  Object.assign(config, readConfig());
  await withChromium(config, async (browser) => {
    const session = await openBrowser(browser, 'administrator browser', ADMIN_BROWSER);
    // The text tables, fetched like the page does (through the browser context: the certificate is the box's own).
    const fx = new Fixture(browser, session, await textTables(session.context, config.url));
    await onSession(() => fx.session, () => run(fx));
  });
  check(!failures.length, `${failures.length} independent step(s) failed:\n  ${failures.join('\n  ')}`);
}
