// What the browser tests of Kakehashi's pages share (admin_pages.mjs with admin/*.mjs, firmware_update.mjs,
// staff_card_check.mjs): steps reported one a line, Debian's Chromium started the same way, screenshots at
// the two sizes the pages are made for, the console watched, a failure kept as a screenshot, TOTP codes as
// a phone app makes them, and questions to the Python side through marker files.
//
// Each script prints `ok   <step> (<ms> ms)` per step and `<title>: all steps passed; …` at the end, and
// exits 0; or prints `FAIL (<step>): <message>` on stderr and exits 1.

import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { chromium } from 'playwright-core';

export const DESKTOP = { width: 1280, height: 800 };
export const TABLET = { width: 768, height: 1024 };

export function env(name, fallback) {
  const value = process.env[name] ?? fallback;
  if (value === undefined || value === '') throw new Error(`environment variable ${name} is not set`);
  return value;
}

export function check(condition, message) {
  if (!condition) throw new Error(message);
}

export const sleep = (millis) => new Promise((resolve) => setTimeout(resolve, millis));

// --- steps and the run ---------------------------------------------------------------------------------------

let current = 'setup';  // the step a failure is reported in

export async function step(name, fn) {
  current = name;
  const started = Date.now();
  const value = await fn();
  console.log(`ok   ${name} (${Date.now() - started} ms)`);
  return value;
}

// The run's folders (SCREENSHOT_DIR, MARKER_DIR), taken from the script's configuration as Chromium starts.
const folders = { shots: '', markers: '' };

// The script's whole run, with its exit status and last line.
export function runScript(title, main) {
  main().then(
    () => console.log(`${title}: all steps passed; screenshots in ${folders.shots}`),
    (e) => {
      console.error(`FAIL (${current}): ${e && e.message ? e.message : e}`);
      process.exit(1);
    },
  );
}

// Debian's Chromium, no browser download; no sandbox, since the tests may run as root in a container.
export async function withChromium(config, fn) {
  check(fs.existsSync(config.chromium), `Chromium not found at ${config.chromium} (apt-get install chromium)`);
  fs.mkdirSync(config.shots, { recursive: true });
  Object.assign(folders, { shots: config.shots, markers: config.markers || '' });
  const browser = await chromium.launch({ executablePath: config.chromium, args: ['--no-sandbox'] });
  try {
    return await fn(browser);
  } finally {
    await browser.close();
  }
}

// --- a browser session -----------------------------------------------------------------------------------------

// The console errors (CSP violations among them) and uncaught exceptions of a page.
export function watchConsole(page) {
  const seen = { consoleErrors: [], pageErrors: [] };
  page.on('console', (msg) => {
    if (msg.type() === 'error') seen.consoleErrors.push(msg.text());
  });
  page.on('pageerror', (err) => seen.pageErrors.push(String(err)));
  return seen;
}

// No uncaught exception, and no console error but those `expected` matches; `seen.label` names the browser.
export function checkConsole(seen, expected) {
  const who = seen.label ? `${seen.label}: ` : '';
  check(!seen.pageErrors.length, `${who}uncaught exceptions: ${seen.pageErrors.join(' | ')}`);
  const unexpected = seen.consoleErrors.filter((e) => !expected.test(e));
  check(!unexpected.length, `${who}console errors (CSP violations included): ${unexpected.join(' | ')}`);
}

// A context in Japanese and Japan time, as on the facility's machines, with one watched page.
export async function openPage(browser, { timeout = 20000, ...options } = {}) {
  const context = await browser.newContext({ viewport: DESKTOP, locale: 'ja-JP', timezoneId: 'Asia/Tokyo', ...options });
  const page = await context.newPage();
  page.setDefaultTimeout(timeout);
  return { context, page, seen: watchConsole(page) };
}

// Runs steps on a session and closes its context; on a failure, keeps the page as failure.png and says
// which console errors came before it. A run that moves on to new sessions passes a function naming the
// session of the moment.
export async function onSession(session, fn) {
  const now = () => (typeof session === 'function' ? session() : session);
  try {
    return await fn();
  } catch (e) {
    const { page, seen } = now();
    await screenshot(page, 'failure').catch(() => {});
    if (seen.consoleErrors.length) console.error(`console errors so far: ${seen.consoleErrors.join(' | ')}`);
    throw e;
  } finally {
    await now().context.close();
  }
}

// --- screenshots ---------------------------------------------------------------------------------------------

export function screenshot(page, name, options = {}) {
  return page.screenshot({ path: path.join(folders.shots, `${name}.png`), fullPage: true, ...options });
}

// From the top of the page, as a user opening the view sees it.
export async function shot(page, name) {
  await page.evaluate(() => window.scrollTo(0, 0));
  await screenshot(page, name);
}

// The same view at 1280×800 and at 768×1024 (optionally checked to be no wider than the window); the
// viewport is put back afterwards.
export async function shotBoth(page, name, { checkWidth = false } = {}) {
  const before = page.viewportSize();
  for (const size of [DESKTOP, TABLET]) {
    await page.setViewportSize(size);
    await page.waitForTimeout(150);
    if (checkWidth) {
      const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
      check(overflow <= 0, `${name}: the page is ${overflow} px wider than ${size.width} px`);
    }
    await shot(page, `${name}-${size.width}x${size.height}`);
  }
  await page.setViewportSize(before);
}

// --- texts -------------------------------------------------------------------------------------------------------

// The two text tables, fetched through the browser context (whose HTTPS errors it may ignore).
export async function textTables(context, url) {
  const tables = {};
  for (const lang of ['ja', 'en']) {
    const res = await context.request.get(`${url}/i18n/${lang}.json`);
    check(res.ok(), `/i18n/${lang}.json answered ${res.status()}`);
    tables[lang] = await res.json();
  }
  return tables;
}

// No element (of those `selector` finds) shows its key or nothing instead of its text; with `keyPrefix`, no
// text made in code is a key either (a key has two dots: admin.group.name; an audit action such as
// admin.setting-changed has one).
export async function checkNoMissingTexts(page, { selector = '[data-i18n]', keyPrefix = '' } = {}) {
  const missing = await page.evaluate(([sel, prefix]) => {
    const empty = [...document.querySelectorAll(sel)]
      .filter((el) => el.textContent === el.dataset.i18n || el.textContent.trim() === '')
      .map((el) => el.dataset.i18n);
    const keys = prefix ? document.body.innerText.match(new RegExp(`\\b${prefix}\\.[A-Za-z]+\\.[A-Za-z][\\w.-]*`, 'g')) || [] : [];
    return [...empty, ...keys];
  }, [selector, keyPrefix]);
  check(!missing.length, `texts missing on the page: ${missing}`);
}

// --- TOTP (RFC 6238: SHA-1, 6 digits, 30 s), as the phone app computes it -------------------------------------

function base32Decode(text) {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
  let bits = '';
  for (const c of text.replace(/[\s=]/g, '').toUpperCase()) {
    const v = alphabet.indexOf(c);
    check(v >= 0, `the TOTP key is not base32 (${c})`);
    bits += v.toString(2).padStart(5, '0');
  }
  const bytes = [];
  for (let i = 0; i + 8 <= bits.length; i += 8) bytes.push(parseInt(bits.slice(i, i + 8), 2));
  return Buffer.from(bytes);
}

function totpAt(secret, counter) {
  const message = Buffer.alloc(8);
  message.writeBigUInt64BE(BigInt(counter));
  const digest = crypto.createHmac('sha1', base32Decode(secret)).update(message).digest();
  const offset = digest[digest.length - 1] & 0x0f;
  return String((digest.readUInt32BE(offset) & 0x7fffffff) % 1000000).padStart(6, '0');
}

// Codes the appliance has not seen yet: it refuses a time step already used (a replayed code) and accepts
// the current step or the next one; when both are used up, the next code waits for the clock. `lastStep` is
// the last step used elsewhere (0: none).
export class Authenticator {
  constructor(secret, lastStep = 0) {
    this.secret = secret;
    this.lastStep = lastStep;
  }

  async next() {
    const now = () => Math.floor(Date.now() / 1000 / 30);
    while (this.lastStep > now()) await sleep(500);
    const step = Math.max(now(), this.lastStep + 1);
    this.lastStep = step;
    return totpAt(this.secret, step);
  }

  wrong() {
    const now = Math.floor(Date.now() / 1000 / 30);
    const valid = new Set([-1, 0, 1, 2].map((d) => totpAt(this.secret, now + d)));
    return ['000000', '111111', '222222'].find((c) => !valid.has(c));
  }
}

// --- the Python side ---------------------------------------------------------------------------------------------

// Asks the Python test through MARKER_DIR: writes <name>.request (JSON) and waits for <name>.done (JSON),
// which it takes away, so the same question can be asked again.
export async function askPython(name, timeoutMillis = 60000, request = {}) {
  const asked = path.join(folders.markers, `${name}.request`);
  const done = path.join(folders.markers, `${name}.done`);
  fs.writeFileSync(`${asked}.tmp`, JSON.stringify(request));
  fs.renameSync(`${asked}.tmp`, asked);  // whole or not at all, for the side that polls
  const started = Date.now();
  while (!fs.existsSync(done)) {
    check(Date.now() - started < timeoutMillis, `the test did not answer "${name}"`);
    await sleep(100);
  }
  const answer = JSON.parse(fs.readFileSync(done, 'utf8'));
  fs.rmSync(done);
  return answer;
}
