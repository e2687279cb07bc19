// The web admin's firmware update view (web-admin/admin/firmware.js) in a real browser: playwright-core
// driving Debian's Chromium against an appliance whose update folder is served by the image's real updater
// (run by the Python side whenever the gateway leaves a request, as kakehashi-update.path does on the box).
//
// In order: an administrator signs in with password and TOTP and opens ファームウェア更新 (the running
// version and its build time in Japan time, no bundle, no slots); a text file is refused by the page itself
// (nothing sent; the API's own refusal is test_firmware_updates.py's); a bundle signed by another CA goes up with its progress shown (the upload
// is slowed down so the progress can be seen) and is refused by the updater's signature check — the
// reason shown, the install button disabled; a bundle for another device is refused naming that device; the
// good bundle is accepted with version 9.9.1, its size, SHA-256 (whole on the tooltip) and uploader, and the
// install button enabled; the install's warning is cancelled once (nothing sent), then confirmed: the
// updater's `rauc install` fails on this machine, which has no slots, and the page shows install-failed with
// the updater's own message (the same text the status file holds); the bundle is discarded (two presses).
// In English: no key missing, not-a-bundle in English, the good bundle's check in English. Then, answered in
// place of the appliance (an install cannot reboot this machine): installing → rebooting → no answer
// (再起動中…, asked again every 3 s) → completed on slot B, then fell-back, then a box that is not the
// appliance image (upload disabled); last, a firmware without the firmware routes: the view says so and
// asks nothing. No text missing, no console errors but the expected ones. Screenshots at 1280×800 and
// 768×1024.
//
// Environment: KAKEHASHI_ADMIN_URL, ADMIN_USERNAME, ADMIN_PASSWORD, TOTP_SECRET, TOTP_USED_STEP (the last
// time step the Python side used), BUNDLE_GOOD, BUNDLE_WRONGKEY, BUNDLE_COMPAT, NOT_A_BUNDLE, BUNDLE_VERSION,
// RUNNING_VERSION, RELEASE_BUILT (UTC, ISO-8601), SCREENSHOT_DIR, MARKER_DIR (the script writes
// <name>.request and waits for <name>.done: "status" answers the update folder's status file as JSON),
// optional CHROMIUM. Exit status 0 when every step passed; otherwise 1 with the failed step on stderr.

import crypto from 'node:crypto';
import fs from 'node:fs';
import {
  Authenticator, DESKTOP, TABLET, askPython, check, checkConsole, checkNoMissingTexts, env, onSession, openPage, runScript,
  shot, shotBoth, sleep, step, textTables, withChromium,
} from './browser_kit.mjs';

// The answers the steps provoke: /me before the sign-in (401), and the "rebooting" box answered by nobody.
const EXPECTED_CONSOLE = /^Failed to load resource: (the server responded with a status of 401 |net::ERR_CONNECTION_REFUSED)/;
const BUNDLE_PATH = '/admin/api/firmware/bundle';
const INSTALL_PATH = '/admin/api/firmware/install';
// The view's and the menu's texts are checked; each view shot at both sizes must fit the window's width.
const TEXTS = { selector: '#view-firmware [data-i18n], #nav [data-i18n]', keyPrefix: 'admin' };
const FIT = { checkWidth: true };

const config = {};

// --- the page ----------------------------------------------------------------------------------------------

const text = async (page, selector) => (await page.locator(selector).innerText()).trim();

async function visible(page, selector, timeout = 20000) {
  await page.locator(selector).first().waitFor({ state: 'visible', timeout });
}

async function hidden(page, selector, timeout = 20000) {
  await page.locator(selector).first().waitFor({ state: 'hidden', timeout });
}

async function stateIs(page, state, timeout = 30000) {
  await page.locator(`#firmware-state[data-state="${state}"]`).waitFor({ state: 'visible', timeout });
}

async function openFirmware(page) {
  if (page.viewportSize().width <= 900) await page.click('#nav-toggle');
  await page.click('#nav a[data-view="firmware"]');
  await visible(page, '#view-firmware');
  await visible(page, '#firmware-content');
}

// Uploads a file through the form; the PUT's answer, which must have the status expected.
async function upload(page, file, expected = 201) {
  await page.setInputFiles('#firmware-file', file);
  const [res] = await Promise.all([
    page.waitForResponse((r) => new URL(r.url()).pathname === BUNDLE_PATH && r.request().method() === 'PUT', { timeout: 60000 }),
    page.click('#firmware-upload'),
  ]);
  check(res.status() === expected, `the upload of ${file} answered ${res.status()}, expected ${expected}`);
  return res;
}

function sha256Of(file) {
  return crypto.createHash('sha256').update(fs.readFileSync(file)).digest('hex');
}

// The bundle facts as label → text.
async function bundleFacts(page) {
  return page.locator('#firmware-bundle-facts').evaluate((dl) => {
    const facts = {};
    for (const dt of dl.querySelectorAll('dt')) facts[dt.textContent] = dt.nextElementSibling.textContent;
    return facts;
  });
}

// Records what the upload's progress showed while it was visible.
async function recordProgress(page) {
  await page.evaluate(() => {
    window.progressSeen = [];
    const box = document.getElementById('firmware-progress-box');
    const note = () => {
      if (!box.hidden) window.progressSeen.push({ value: document.getElementById('firmware-progress').value, text: document.getElementById('firmware-percent').textContent });
    };
    new MutationObserver(note).observe(box, { attributes: true, childList: true, subtree: true, characterData: true });
  });
}

// --- the steps ---------------------------------------------------------------------------------------------

async function signIn(page, tables) {
  await step('an administrator signs in and finds ファームウェア更新 in the menu', async () => {
    await page.goto(`${config.url}/admin`);
    await visible(page, '#view-login');
    await page.fill('#login-username', config.username);
    await page.fill('#login-password', config.password);
    await page.click('#login-form button[type="submit"]');
    await visible(page, '#view-second');
    await page.fill('#second-code', await new Authenticator(config.totpSecret, Number(config.totpUsedStep)).next());
    await page.click('#second-form button[type="submit"]');
    await visible(page, '#nav');
    const link = page.locator('#nav a[data-view="firmware"]');
    check(await link.isVisible(), 'no firmware entry in an administrator\'s menu');
    check((await link.innerText()).trim() === tables.ja['admin.nav.firmware'], `menu entry "${await link.innerText()}"`);
  });
}

async function firstLook(page) {
  await step('the view: running version and build time in Japan time, no bundle, no slots, upload enabled', async () => {
    await openFirmware(page);
    check(await page.locator('#nav a[data-view="firmware"]').getAttribute('aria-current') === 'page', 'firmware is not marked current');
    check(await text(page, '#firmware-version') === config.runningVersion, `version "${await text(page, '#firmware-version')}"`);
    const built = new Date(config.releaseBuilt);
    const japan = new Date(built.getTime() + 9 * 3600000).toISOString().replace('T', ' ').slice(0, 19);
    check(await text(page, '#firmware-built') === japan, `built "${await text(page, '#firmware-built')}", expected ${japan}`);
    await visible(page, '#firmware-no-bundle');
    check(await page.locator('#firmware-bundle').isHidden(), 'a bundle is shown before any upload');
    check(await page.locator('#firmware-state').isHidden(), 'an update state is shown before any upload');
    check(await page.locator('#firmware-slots-empty').isVisible(), 'no "no slots" line on a machine without slots');
    check(await page.locator('#firmware-package').isHidden(), 'the appliance image is called a package install');
    check(await page.locator('#firmware-unavailable').isHidden(), 'the view says the API is missing');
    check(await page.locator('#firmware-file').isEnabled(), 'the upload is disabled');
    check(/1[,.]?024/.test(await text(page, '#firmware-max')), `the limit "${await text(page, '#firmware-max')}" is not 1024 MB`);
    await checkNoMissingTexts(page, TEXTS);
    await shotBoth(page, '01-firmware', FIT);
  });
}

// A file that does not start like a bundle is refused by the page itself: nothing is sent.
async function refusedInPage(page, file, expected) {
  let puts = 0;
  const count = (r) => {
    if (new URL(r.url()).pathname === BUNDLE_PATH && r.method() === 'PUT') puts += 1;
  };
  page.on('request', count);
  await page.setInputFiles('#firmware-file', file);
  await page.click('#firmware-upload');
  await page.locator('#firmware-error', { hasText: expected }).waitFor();
  await sleep(500);
  page.off('request', count);
  check(puts === 0, `the page sent ${puts} upload(s) of a file that is not a bundle`);
}

async function notABundle(page, tables) {
  await step('a text file is refused by the page as not a bundle, and never sent', async () => {
    await refusedInPage(page, config.notABundle, tables.ja['admin.firmware.notABundle']);
    await visible(page, '#firmware-no-bundle');
    await shot(page, '02-not-a-bundle-1280x800');
  });
}

async function wrongKey(page, tables) {
  await step('a bundle signed by another CA: its upload progress, then refused by the signature check', async () => {
    // About 3 s for the bundle, so the progress is on screen long enough to be seen.
    const cdp = await page.context().newCDPSession(page);
    await cdp.send('Network.enable');
    await cdp.send('Network.emulateNetworkConditions', { offline: false, latency: 0, downloadThroughput: -1, uploadThroughput: 24 * 1024 });
    await recordProgress(page);
    let res;
    try {
      res = await upload(page, config.wrongKey);
    } finally {
      await cdp.detach();
    }
    const headers = res.request().headers();
    check(headers['content-type'] === 'application/octet-stream', `Content-Type ${headers['content-type']}`);
    check(/^[0-9A-Za-z_-]{16,}$/.test(headers['x-csrf-token'] || ''), 'no CSRF token on the upload');
    const seen = await page.evaluate(() => window.progressSeen);
    const between = seen.filter((s) => s.value > 0 && s.value < 100 && /アップロード中 \d+%/.test(s.text));
    check(between.length >= 1, `no progress between 0 and 100 % was shown: ${JSON.stringify(seen)}`);
    check(await page.locator('#firmware-error').isHidden(), 'the earlier error is still shown');
    await hidden(page, '#firmware-progress-box');
    await stateIs(page, 'invalid');
    check((await text(page, '#firmware-state-title')) === tables.ja['admin.firmware.state.invalid'], 'the state is not named');
    check((await text(page, '#firmware-state-reason')) === tables.ja['admin.firmware.reason.signature'], 'the reason is not explained');
    check((await text(page, '#firmware-state-message')).includes('signature verification failed'), `message "${await text(page, '#firmware-state-message')}"`);
    check(await page.locator('#firmware-bundle-check').getAttribute('data-state') === 'bad', 'the signature is not marked refused');
    check(await page.locator('#firmware-install').isDisabled(), 'the install button is enabled for a refused bundle');
    await shotBoth(page, '03-wrong-key', FIT);
  });
}

async function otherDevice(page, tables) {
  await step('a bundle for another device: refused, naming that device', async () => {
    await upload(page, config.compat);
    await page.locator('#firmware-state-message', { hasText: 'other-device' }).waitFor({ timeout: 30000 });
    await stateIs(page, 'invalid');
    check((await text(page, '#firmware-state-reason')) === tables.ja['admin.firmware.reason.compatible'], 'the reason is not explained');
    const facts = await bundleFacts(page);
    check(facts[tables.ja['admin.firmware.compatible']] === 'other-device', `facts ${JSON.stringify(facts)}`);
    check(await page.locator('#firmware-install').isDisabled(), 'the install button is enabled for another device\'s bundle');
    await shot(page, '04-other-device-1280x800');
  });
}

async function goodBundle(page, tables) {
  return step('the good bundle: checked valid with version 9.9.1, its facts, the install button enabled', async () => {
    await upload(page, config.good);
    await stateIs(page, 'valid');
    const title = await text(page, '#firmware-state-title');
    check(title === tables.ja['admin.firmware.state.valid'].replace('{version}', config.bundleVersion), `state "${title}"`);
    check(await page.locator('#firmware-state-reason').isHidden(), 'a refusal reason for a valid bundle');
    check(await text(page, '#firmware-bundle-version') === config.bundleVersion, 'the bundle\'s version is not shown');
    check(await page.locator('#firmware-bundle-check').getAttribute('data-state') === 'ok', 'the signature is not marked verified');
    check(await text(page, '#firmware-bundle-check') === tables.ja['admin.firmware.signatureOk'], 'the signature text');
    const sha = sha256Of(config.good);
    const shaCell = page.locator('#firmware-bundle-sha');
    check(await shaCell.getAttribute('title') === sha, 'the whole SHA-256 is not on the tooltip');
    const short = (await shaCell.innerText()).trim();
    check(short.length < sha.length && sha.startsWith(short.replace('…', '')), `short SHA-256 "${short}"`);
    const size = fs.statSync(config.good).size;
    check((await text(page, '#firmware-bundle-size')).includes(size.toLocaleString('en-US')), 'the size in bytes is not shown');
    check(/MB/.test(await text(page, '#firmware-bundle-size')), 'the size in MB is not shown');
    const facts = await bundleFacts(page);
    check(facts[tables.ja['admin.firmware.uploadedBy']] === config.username, `uploaded by ${facts[tables.ja['admin.firmware.uploadedBy']]}`);
    check(/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/.test(facts[tables.ja['admin.firmware.uploadedAt']]), `uploaded at ${facts[tables.ja['admin.firmware.uploadedAt']]}`);
    check(await page.locator('#firmware-install').isEnabled(), 'the install button is disabled for a valid bundle');
    await checkNoMissingTexts(page, TEXTS);
    await shotBoth(page, '05-valid', FIT);
    return sha;
  });
}

async function install(page, tables, sha, installPosts) {
  await step('install: the warning, cancelled once (nothing sent)', async () => {
    await page.click('#firmware-install');
    await visible(page, '#firmware-confirm');
    const dialog = await text(page, '#firmware-confirm');
    for (const key of ['admin.firmware.confirmSlot', 'admin.firmware.confirmDowntime', 'admin.firmware.confirmFallback']) {
      check(dialog.includes(tables.ja[key]), `the warning lacks ${key}`);
    }
    check(dialog.includes(`${config.runningVersion} → ${config.bundleVersion}`), 'the warning does not name the versions');
    await shot(page, '06-install-warning-1280x800');
    await page.setViewportSize(TABLET);
    await shot(page, '06-install-warning-768x1024');
    await page.setViewportSize(DESKTOP);
    await page.click('#firmware-confirm-cancel');
    await hidden(page, '#firmware-confirm');
    await page.waitForTimeout(500);
    check(installPosts.length === 0, 'the cancelled warning sent an install');
  });

  await step('install confirmed: 202, then install-failed with the updater\'s message (no slots here)', async () => {
    await page.click('#firmware-install');
    await visible(page, '#firmware-confirm');
    const [res] = await Promise.all([
      page.waitForResponse((r) => new URL(r.url()).pathname === INSTALL_PATH),
      page.click('#firmware-confirm-install'),
    ]);
    check(res.status() === 202, `the install answered ${res.status()}`);
    check(res.request().postDataJSON().sha256 === sha, 'the install names another SHA-256');
    check(installPosts.length === 1, `${installPosts.length} install requests`);
    await stateIs(page, 'install-failed');
    check((await text(page, '#firmware-state-title')) === tables.ja['admin.firmware.state.install-failed'], 'the state is not named');
    const status = await askPython('status', 30000);
    check(status.state === 'install-failed' && status.action === 'install', `the updater's status ${JSON.stringify(status)}`);
    const shown = await text(page, '#firmware-state-message');
    check(shown && shown === status.message.trim(), `the page says "${shown}", the updater "${status.message}"`);
    check((await text(page, '#firmware-state-action')).startsWith(tables.ja['admin.firmware.actionInstall']), 'the action is not named');
    check(await page.locator('#firmware-install').isDisabled(), 'the install button is enabled after the install failed');
    check(await page.locator('#firmware-file').isEnabled(), 'the upload stays disabled after the install failed');
    await shotBoth(page, '07-install-failed', FIT);
  });
}

async function discard(page, tables) {
  await step('discard: a second press removes the bundle', async () => {
    await page.click('#firmware-discard');
    check((await text(page, '#firmware-discard')) === tables.ja['admin.common.pressAgain'], 'the first press does not ask again');
    const [res] = await Promise.all([
      page.waitForResponse((r) => new URL(r.url()).pathname === BUNDLE_PATH && r.request().method() === 'DELETE'),
      page.click('#firmware-discard'),
    ]);
    check(res.status() === 200, `the discard answered ${res.status()}`);
    await visible(page, '#firmware-no-bundle');
    check(await page.locator('#firmware-bundle').isHidden(), 'the bundle is still shown');
    check(await page.locator('#firmware-state').isHidden(), 'the discarded bundle\'s state is still shown');
    check((await text(page, '#firmware-info')) === tables.ja['admin.firmware.discarded'], 'no word of the discard');
    await shot(page, '08-discarded-1280x800');
  });
}

async function english(page, tables) {
  await step('English: no key missing; not-a-bundle and the check in English', async () => {
    await page.click('button[data-lang="en"]');
    await page.locator('#view-firmware h1', { hasText: tables.en['admin.nav.firmware'] }).waitFor();
    await checkNoMissingTexts(page, TEXTS);
    await refusedInPage(page, config.notABundle, tables.en['admin.firmware.notABundle']);
    await upload(page, config.good);
    await stateIs(page, 'valid');
    const title = await text(page, '#firmware-state-title');
    check(title === tables.en['admin.firmware.state.valid'].replace('{version}', config.bundleVersion), `state "${title}"`);
    check(await text(page, '#firmware-bundle-check') === tables.en['admin.firmware.signatureOk'], 'the signature text in English');
    await checkNoMissingTexts(page, TEXTS);
    await shotBoth(page, '09-valid-en', FIT);
    await page.click('#firmware-discard');
    check((await text(page, '#firmware-discard')) === tables.en['admin.common.pressAgain'], 'the discard asks again in Japanese');
    await page.click('#firmware-discard');
    await visible(page, '#firmware-no-bundle');
    await page.click('button[data-lang="ja"]');
    await page.locator('#view-firmware h1', { hasText: tables.ja['admin.nav.firmware'] }).waitFor();
  });
}

// --- an install followed through a reboot, answered in place of the appliance -----------------------------

const FAKE_SHA = 'ab'.repeat(32);

function fakeView(phase) {
  const slot = (bootname, state, bootStatus, version) => ({ name: `rootfs.${bootname === 'A' ? 0 : 1}`, bootname, state, bootStatus,
    version, installedAt: version ? '2026-11-29T03:04:05Z' : '' });
  const onA = [slot('A', 'booted', 'good', config.runningVersion), slot('B', 'inactive', '', '')];
  const view = { available: true, version: config.runningVersion, release: { version: config.runningVersion, built: config.releaseBuilt },
    maxBundleBytes: 1073741824, bootedSlot: 'A', slots: onA,
    bundle: { size: 123456789, sha256: FAKE_SHA, uploadedAt: '2026-11-30T09:00:00+09:00', uploadedBy: config.username } };
  const update = (action, state, message = '') => ({ id: '0f0e0d0c-0000-4000-8000-000000000001', action, state, version: config.bundleVersion,
    compatible: 'kakehashi-appliance', target: 'B', message, at: '2026-11-30T09:01:00+09:00', sha256: FAKE_SHA });
  switch (phase) {
    case 'valid': return { ...view, update: update('check', 'valid', 'signature and compatible accepted') };
    case 'waiting': return { ...view, update: update('install', 'waiting') };
    case 'installing': return { ...view, update: update('install', 'installing', `installing ${config.bundleVersion} into slot B`) };
    case 'rebooting': return { ...view, update: update('install', 'rebooting', 'installed into slot B; rebooting') };
    case 'completed': return { ...view, version: config.bundleVersion, bootedSlot: 'B',
      release: { version: config.bundleVersion, built: '2026-12-01T00:00:00Z' },
      slots: [slot('A', 'inactive', 'good', config.runningVersion), slot('B', 'booted', 'good', config.bundleVersion)],
      update: update('install', 'completed', 'slot B booted and passed the self-check') };
    case 'fell-back': return { ...view, slots: [slot('A', 'booted', 'good', config.runningVersion), slot('B', 'inactive', 'bad', config.bundleVersion)],
      update: update('install', 'fell-back', 'slot B did not pass the self-check; the box is on slot A again') };
    case 'package': return { available: false, version: config.runningVersion, maxBundleBytes: 1073741824, bootedSlot: '', slots: [] };
    default: throw new Error(`no fake view ${phase}`);
  }
}

async function throughReboot(page, tables) {
  const fake = { phase: 'valid', asked: [], installCsrf: '' };
  const isFirmwareApi = (url) => url.pathname === '/admin/api/firmware' || url.pathname.startsWith('/admin/api/firmware/');
  await page.route(isFirmwareApi, async (route) => {
    const request = route.request();
    fake.asked.push({ at: Date.now(), method: request.method(), phase: fake.phase });
    if (request.method() === 'POST' && new URL(request.url()).pathname === INSTALL_PATH) {
      fake.installCsrf = request.headers()['x-csrf-token'] || '';
      fake.phase = 'installing';
      await route.fulfill({ status: 202, contentType: 'application/json', body: JSON.stringify(fakeView('waiting')) });
      return;
    }
    if (fake.phase === 'away') {
      await route.abort('connectionrefused');
      return;
    }
    await route.fulfill({ status: 200, contentType: 'application/json', body: JSON.stringify(fakeView(fake.phase)) });
  });
  try {
    await step('(answered in place of the appliance) an install followed: installing, rebooting, 再起動中…, completed', async () => {
      await page.click('#firmware-refresh');
      await stateIs(page, 'valid');
      const size = await text(page, '#firmware-bundle-size');
      check(size.startsWith('117.7 MB'), `123456789 bytes shown as "${size}"`);
      await page.click('#firmware-install');
      await page.click('#firmware-confirm-install');
      await stateIs(page, 'installing', 10000);
      check(fake.installCsrf, 'the install was sent without its CSRF token');
      check((await text(page, '#firmware-state-title')).includes('スロット B'), 'the target slot is not named');
      check(await page.locator('#firmware-working').isVisible(), 'no sign of work while installing');
      check(await page.locator('#firmware-file').isDisabled(), 'an upload is offered during the install');
      check(await page.locator('#firmware-discard').isDisabled(), 'a discard is offered during the install');
      fake.phase = 'rebooting';
      await stateIs(page, 'rebooting', 10000);
      fake.phase = 'away';
      const awaySince = Date.now();
      await stateIs(page, 'restarting', 10000);
      check((await text(page, '#firmware-state-title')) === tables.ja['admin.firmware.restarting'], 'no 再起動中…');
      check(await page.locator('#firmware-error').isHidden(), 'the reboot is shown as an error');
      await page.waitForTimeout(7500);
      const tries = fake.asked.filter((a) => a.phase === 'away' && a.at >= awaySince);
      check(tries.length >= 3, `${tries.length} tries while the box was away`);
      const gaps = tries.slice(1).map((a, i) => a.at - tries[i].at);
      check(gaps.every((g) => g >= 2500 && g <= 4500), `asked again after ${gaps} ms (every 3 s expected)`);
      check(/\d+ 分 \d+ 秒/.test(await text(page, '#firmware-state-action')), 'the time waited is not shown');
      await shotBoth(page, '10-restarting', FIT);
      fake.phase = 'completed';
      await stateIs(page, 'completed', 10000);
      check((await text(page, '#firmware-state-title')) === tables.ja['admin.firmware.state.completed'].replace('{version}', config.bundleVersion),
        'completed does not name the new version');
      check(await text(page, '#firmware-version') === config.bundleVersion, 'the running version is not the new one');
      check(await text(page, '#firmware-booted') === 'B', 'the booted slot is not B');
      const rows = await page.locator('#firmware-slots tr').evaluateAll((trs) => trs.map((tr) => [tr.dataset.slot, tr.dataset.state, tr.innerText]));
      check(rows.length === 2 && rows[1][0] === 'B' && rows[1][1] === 'booted' && rows[1][2].includes(config.bundleVersion)
        && rows[1][2].includes(tables.ja['admin.firmware.slotBooted']) && rows[1][2].includes(tables.ja['admin.firmware.bootGood']),
        `slots ${JSON.stringify(rows)}`);
      const askedBefore = fake.asked.length;
      await page.waitForTimeout(4500);
      check(fake.asked.length === askedBefore, 'the page keeps asking after the outcome');
      await checkNoMissingTexts(page, TEXTS);
      await shotBoth(page, '11-completed', FIT);
    });

    await step('(answered in place of the appliance) fell back; a box that is not the appliance image', async () => {
      fake.phase = 'fell-back';
      await page.click('#firmware-refresh');
      await stateIs(page, 'fell-back');
      check((await text(page, '#firmware-state-title')) === tables.ja['admin.firmware.state.fell-back'].replace('{version}', config.bundleVersion),
        'fell-back is not explained');
      const slotB = await page.locator('#firmware-slots tr[data-slot="B"]').innerText();
      check(slotB.includes(tables.ja['admin.firmware.bootBad']), `slot B "${slotB}" is not marked bad`);
      await shot(page, '12-fell-back-1280x800');
      fake.phase = 'package';
      await page.click('#firmware-refresh');
      await visible(page, '#firmware-package');
      check(await page.locator('#firmware-file').isDisabled() && await page.locator('#firmware-upload').isDisabled(), 'the upload is offered on a package install');
      check(await page.locator('#firmware-state').isHidden(), 'a state is shown on a package install');
      check(await page.locator('#firmware-bundle-panel').isHidden() && await page.locator('#firmware-slots-part').isHidden(),
        'bundle and slots are shown on a package install');
      check(await text(page, '#firmware-version') === config.runningVersion, 'no running version on a package install');
      await checkNoMissingTexts(page, TEXTS);
      await shotBoth(page, '13-package-install', FIT);
    });
  } finally {
    await page.unroute(isFirmwareApi);
  }
}

async function withoutRoutes(page) {
  await step('a firmware without the firmware routes: the view says so and asks nothing', async () => {
    const firmwareAsked = [];
    const listener = (request) => {
      if (new URL(request.url()).pathname.startsWith('/admin/api/firmware')) firmwareAsked.push(request.url());
    };
    const routesPath = (url) => url.pathname === '/admin/api/routes';
    await page.route(routesPath, async (route) => {
      const res = await route.fetch();
      const body = await res.json();
      body.routes = body.routes.filter((r) => !r.path.startsWith('/admin/api/firmware'));
      await route.fulfill({ response: res, body: JSON.stringify(body) });
    });
    page.on('request', listener);
    try {
      await page.reload();
      await visible(page, '#firmware-unavailable');
      check(await page.locator('#firmware-content').isHidden(), 'the view shows its parts without its API');
      await page.waitForTimeout(500);
      check(!firmwareAsked.length, `the view asked ${firmwareAsked}`);
      await shot(page, '14-unavailable-1280x800');
    } finally {
      page.off('request', listener);
      await page.unroute(routesPath);
    }
    await page.reload();
    await visible(page, '#firmware-content');
  });
}

// --- the run -----------------------------------------------------------------------------------------------

async function run(browser) {
  const session = await openPage(browser, { ignoreHTTPSErrors: true });
  const { page, seen } = session;
  const installPosts = [];
  page.on('request', (r) => {
    if (new URL(r.url()).pathname === INSTALL_PATH) installPosts.push(r.url());
  });
  await onSession(session, async () => {
    const tables = await textTables(session.context, config.url);
    await signIn(page, tables);
    await firstLook(page);
    await notABundle(page, tables);
    await wrongKey(page, tables);
    await otherDevice(page, tables);
    const sha = await goodBundle(page, tables);
    await install(page, tables, sha, installPosts);
    await discard(page, tables);
    await english(page, tables);
    await throughReboot(page, tables);
    await withoutRoutes(page);
    await step('no console errors but the expected ones; nothing stored but the language', async () => {
      const stored = await page.evaluate(() => ({ session: Object.keys(sessionStorage), local: Object.keys(localStorage) }));
      check(!stored.session.length && stored.local.every((k) => k === 'kakehashi.lang'), `storage holds ${JSON.stringify(stored)}`);
      checkConsole(seen, EXPECTED_CONSOLE);
    });
  });
}

runScript('firmware update page', async () => {
  Object.assign(config, {
    url: env('KAKEHASHI_ADMIN_URL').replace(/\/$/, ''),
    username: env('ADMIN_USERNAME'),
    password: env('ADMIN_PASSWORD'),
    totpSecret: env('TOTP_SECRET'),
    totpUsedStep: env('TOTP_USED_STEP'),
    good: env('BUNDLE_GOOD'),
    wrongKey: env('BUNDLE_WRONGKEY'),
    compat: env('BUNDLE_COMPAT'),
    notABundle: env('NOT_A_BUNDLE'),
    bundleVersion: env('BUNDLE_VERSION'),
    runningVersion: env('RUNNING_VERSION'),
    releaseBuilt: env('RELEASE_BUILT'),
    shots: env('SCREENSHOT_DIR'),
    markers: env('MARKER_DIR'),
    chromium: env('CHROMIUM', '/usr/bin/chromium'),
  });
  await withChromium(config, run);
});
