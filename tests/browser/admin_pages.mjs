// The web admin (web-admin/admin/) in a real browser: playwright-core driving Debian's Chromium against a
// freshly started appliance whose admin listener is HTTPS with the box's self-signed certificate.
//
// In order: the first-run wizard (a wrong setup code and a weak password refused with the appliance's
// messages, the first administrator, TOTP enrolment with the QR code, the ten recovery codes shown once, the
// facility with a wrong institution code refused, an API client for the receipt computer with its token shown
// once); sign-out and sign-in with password and TOTP (a wrong code first); an operator added in the users
// view, locked out of its machine after five wrong passwords in a second browser (every refusal, even the
// right password's, reading the same), the lock and its machine seen and lifted by the administrator, then
// enrolling and seeing only an operator's menu, and sent back to sign-in when the administrator disables them
// (then enabled, given another role and a second-factor reset); facility.name changed and found in its
// history with who and when; the dashboard's requestsToday moving by itself after two inquiries the Python
// side makes; the home reception URL set by hand with its QR code and poster; plugins reloaded, disabled and
// enabled; json-webhook's settings form made from its schema (the URL shown, the secret token never: an empty
// password field marked 設定済み; a URL against the pattern stopped by the browser and, sent anyway, refused by
// the appliance naming callbackUrl; a new URL saved with the token kept, then a new token saved and gone from
// the page), and a schema with every type of the subset (answered in place of the appliance) made into its
// inputs and sent back typed; card readers; channels (the listeners read only, an API client added whose token the Python side
// uses on the LAN API, then revoked and refused there); the log viewer filtered by level and event prefix,
// and its auto-refresh; the audit log's tamper check — intact, then broken at the row the Python side
// altered; the language switch; certificates (a PKCS#12 with a wrong and then the right passphrase, on trial
// with its countdown and kept; a CSR made on the box, signed and uploaded, then put back; the central CA); a
// backup and the configuration downloaded, the configuration imported, the backup restored and the restart
// asked for, after which the old facility name is back; then the box wiped by the Python side (a replacement
// box) and brought back from the same backup through the first-run wizard with the new setup code — the old
// administrator signs in with the old password and TOTP; last, with the confirmation window cut to 5 s, a
// certificate left unconfirmed rolls back by itself and the page says so; a machine that keeps failing to sign
// in is answered 429 and told when to try again; no text missing, no console errors
// but the expected ones. Screenshots of every main view at 1280×800 and at 768×1024.
//
// The Python side (tests/integration/test_admin_pages.py) answers requests through MARKER_DIR: the script
// writes <name>.request (JSON) and waits for <name>.done (JSON): "inquiries" (make two eligibility
// inquiries), "api-token", "api-token-revoked" and "api-token-reissued" ({tokens}: GET /api/v1/plugins with
// each; the answer is their statuses), "tamper" (alter one audit row; the answer names it), "sign-csr" (sign
// request.csr with the facility CA; the answer is the certificate's path), "restart" and "restore-restart"
// (wait for the gateway to exit for its restart and start it again, as systemd would; the answer is the exit
// code), "reset" (stop the gateway, delete its state and key folders, start it: the answer is the new setup
// code) and "short-window" (start the gateway again with admin.confirmSeconds 5).
//
// Environment: KAKEHASHI_ADMIN_URL (https://127.0.0.1:port), SETUP_CODE, SCREENSHOT_DIR, MARKER_DIR,
// CLIENT_P12 and CLIENT_P12_PASSPHRASE (a client certificate of 45 days), CLIENT_P12_ROLLBACK (another one,
// same passphrase), CENTRAL_CA (PEM), PLUGIN_SECRET (json-webhook's callbackToken as configured), optional
// CHROMIUM (default /usr/bin/chromium). Exit status 0 when every step passed; otherwise 1 with the failed step
// on stderr.

import fs from 'node:fs';
import path from 'node:path';
import {
  Authenticator, DESKTOP, TABLET, askPython, check, checkConsole, checkNoMissingTexts, env, onSession, openPage, runScript,
  screenshot, shot, shotBoth, step, textTables, withChromium,
} from './browser_kit.mjs';

const ADMIN = { username: 'it-tanaka', display: '田中 一郎', password: 'Hashi-Kanrisha-2026!' };
const OPERATOR = { username: 'reception', display: '受付 花子', password: 'Uketsuke-Mado-2026?' };
const FACILITY_NAME = '架け橋訪問クリニック';
const FACILITY_RENAMED = '架け橋在宅クリニック';
const INSTITUTION_CODE = '1312345679';
const HOME_URL = 'https://example.jp/zaitaku/kakehashi-clinic';
// Chromium reports every 4xx answer of fetch as a console error; these are the ones the steps provoke.
// While the appliance restarts after the restore, the page's polls find nobody listening.
const EXPECTED_CONSOLE = new RegExp('^Failed to load resource: (the server responded with a status of (401|403|404|409|422|423|429) '
  + '|net::ERR_(CONNECTION_REFUSED|CONNECTION_RESET|CONNECTION_CLOSED|EMPTY_RESPONSE))');
const BACKUP_PASSPHRASE = '架け橋の合言葉-2026-backup';
const WIZARD_CLIENT = 'rececon-wizard';
const CLIENT = 'rececon-2';
const TOKEN = /^kkh_[0-9a-f]{64}$/;
const tokens = {};  // API tokens read from the page, by client name
const PLUGIN_SECRET_NEW = 'webhook-secret-NEW-9876543210';  // json-webhook's token as the page replaces it
const TEXTS = { keyPrefix: 'admin' };  // besides the data-i18n elements, no admin.… key as text anywhere

let config;

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

// A step of a view that does not depend on the others: its failure is recorded and the run goes on, so
// one broken view does not hide the state of the rest; the run still fails at the end.
const failures = [];

async function independentStep(page, name, fn) {
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

const text = async (page, selector) => (await page.locator(selector).innerText()).trim();

async function visible(page, selector, timeout = 15000) {
  await page.locator(selector).first().waitFor({ state: 'visible', timeout });
}

async function waitForText(page, selector, expected, timeout = 15000) {
  await page.locator(selector).filter({ hasText: expected }).first().waitFor({ state: 'visible', timeout });
}

async function openView(page, view) {
  const viewport = page.viewportSize();
  if (viewport.width <= 900) {
    await page.click('#nav-toggle');
    await visible(page, `#nav a[data-view="${view}"]`);
  }
  await page.click(`#nav a[data-view="${view}"]`);
  await visible(page, `#view-${view}`);
  check(await page.locator(`#nav a[data-view="${view}"]`).getAttribute('aria-current') === 'page', `${view} is not marked current`);
}

async function qrShown(page, selector) {
  await visible(page, selector);
  const size = await page.locator(selector).evaluate(async (img) => {
    if (!img.complete) await new Promise((resolve) => img.addEventListener('load', resolve, { once: true }));
    return { natural: img.naturalWidth, shown: img.getBoundingClientRect().width, src: img.src.slice(0, 26) };
  });
  check(size.natural > 0 && size.shown >= 150, `the QR code is not drawn: ${JSON.stringify(size)}`);
  check(size.src === 'data:image/svg+xml;charset', `the QR code is not an SVG image: ${size.src}`);
}

async function answerOf(page, urlPart, action) {
  const [res] = await Promise.all([
    page.waitForResponse((r) => r.url().includes(urlPart) && r.request().method() !== 'GET'),
    action(),
  ]);
  return res;
}

// --- 1. first run -------------------------------------------------------------------------------------------------

async function firstRun(page, tables) {
  await step('the first-run wizard opens in Japanese and explains where the setup code is', async () => {
    await page.goto(`${config.url}/admin`);
    await visible(page, '#view-setup');
    check(await page.locator('html').getAttribute('lang') === 'ja', 'the page does not open in Japanese');
    check((await text(page, '#view-setup .callout')).includes('journalctl'), 'the setup code\'s whereabouts are not explained');
    check(await page.locator('#nav').isHidden(), 'the navigation shows before anyone signed in');
    check((await page.title()) === tables.ja['admin.app.title'], `title "${await page.title()}"`);
    await checkNoMissingTexts(page, TEXTS);
    await shotBoth(page, '01-setup');
  });

  await step('a wrong setup code is refused with the appliance\'s message', async () => {
    await page.fill('#setup-code', 'AAAA-BBBB-CCCC');
    await page.fill('#setup-username', ADMIN.username);
    await page.fill('#setup-display', ADMIN.display);
    await page.fill('#setup-password', ADMIN.password);
    await page.fill('#setup-password2', ADMIN.password);
    const res = await answerOf(page, '/admin/api/setup', () => page.click('#setup-form button[type="submit"]'));
    check(res.status() === 403, `a wrong setup code answered ${res.status()}`);
    await waitForText(page, '#setup-error', 'セットアップコードが違います');
    await shot(page, '02-setup-wrong-code');
  });

  await step('a password containing the user name is refused with the policy message (422)', async () => {
    await page.fill('#setup-code', config.setupCode);
    await page.fill('#setup-password', `${ADMIN.username}-Password-1`);
    await page.fill('#setup-password2', `${ADMIN.username}-Password-1`);
    const res = await answerOf(page, '/admin/api/setup', () => page.click('#setup-form button[type="submit"]'));
    check(res.status() === 422, `a weak password answered ${res.status()}`);
    await waitForText(page, '#setup-error', '利用者名を含めないでください');
    check((await text(page, '#setup-error')).includes('項目の値が正しくありません'), 'the problem title is not shown');
  });

  const authenticator = await step('the first administrator is made; the QR code and the key are shown', async () => {
    await page.fill('#setup-password', ADMIN.password);
    await page.fill('#setup-password2', ADMIN.password);
    const res = await answerOf(page, '/admin/api/setup', () => page.click('#setup-form button[type="submit"]'));
    check(res.status() === 201, `the setup answered ${res.status()}`);
    await visible(page, '#view-enrol');
    await qrShown(page, '#enrol-qr');
    await page.locator('#enrol-secret').filter({ hasText: /[A-Z2-7]{4}/ }).waitFor();
    const secret = (await text(page, '#enrol-secret')).replace(/\s/g, '');
    check(/^[A-Z2-7]{16,}$/.test(secret), `the key "${secret}" is not base32`);
    check(await page.locator('#wizard li[data-step="enrol"]').getAttribute('aria-current') === 'step', 'the wizard does not show step 2');
    await shotBoth(page, '03-enrol');
    return new Authenticator(secret);
  });

  await step('a wrong code is refused; the right one shows ten recovery codes once', async () => {
    await page.fill('#enrol-code', authenticator.wrong());
    await page.click('#enrol-form button[type="submit"]');
    await waitForText(page, '#enrol-error', '確認コードが違います');
    await page.fill('#enrol-code', await authenticator.next());
    await page.click('#enrol-form button[type="submit"]');
    await visible(page, '#view-recovery');
    const codes = await page.locator('#recovery-codes li').allInnerTexts();
    check(codes.length === 10, `${codes.length} recovery codes`);
    check(codes.every((c) => /^[0-9a-z]{4}-[0-9a-z]{4}$/.test(c.trim())), `recovery codes ${codes}`);
    check(await page.locator('#recovery-continue').isDisabled(), 'the wizard goes on before the codes are saved');
    check((await text(page, '#view-recovery label.check')).includes('保存しました'), 'no 保存しました confirmation');
    await shotBoth(page, '04-recovery-codes');
    await page.check('#recovery-saved');
    await page.click('#recovery-continue');
    check(await page.locator('#recovery-codes li').count() === 0, 'the recovery codes stay in the page');
  });

  await step('the facility: a wrong check digit refused by the appliance, then saved', async () => {
    await visible(page, '#view-facility');
    await page.waitForFunction(() => document.getElementById('facility-code').value !== '');
    check(await page.inputValue('#facility-code') === INSTITUTION_CODE, 'the institution code is not filled in from the configuration');
    check((await page.inputValue('#facility-upstream')).startsWith('https://'), 'the upstream address is not filled in');
    await page.fill('#facility-name', FACILITY_NAME);
    await page.fill('#facility-code', '1312345678');
    await page.click('#facility-form button[type="submit"]');
    await waitForText(page, '#facility-error', '医療機関等コードが正しくありません');
    check(await page.getAttribute('#facility-code', 'aria-invalid') === 'true', 'the wrong field is not marked');
    await shotBoth(page, '05-facility-refused');
    await page.fill('#facility-code', INSTITUTION_CODE);
    await page.click('#facility-form button[type="submit"]');
    await visible(page, '#view-wizard-client');
  });

  await step('the optional last step: an API client for the receipt computer, its token shown once', async () => {
    check(await page.locator('#wizard li[data-step="client"]').getAttribute('aria-current') === 'step', 'the wizard does not show step 5');
    check(await page.locator('#wizard li.done').count() === 4, 'the first four steps are not marked done');
    await page.fill('#wizard-client-name', 'レセコン 1');
    await page.click('#wizard-client-form button[type="submit"]');
    await waitForText(page, '#wizard-client-error', '英数字');
    await page.fill('#wizard-client-name', WIZARD_CLIENT);
    await page.fill('#wizard-client-cidrs', '127.0.0.0/8');
    await page.click('#wizard-client-form button[type="submit"]');
    await visible(page, '#wizard-client-token-box');
    check(await page.locator('#wizard-client-form').isHidden(), 'the form stays beside the token');
    tokens[WIZARD_CLIENT] = await text(page, '#wizard-client-token');
    check(TOKEN.test(tokens[WIZARD_CLIENT]), 'no token shown');
    check((await text(page, '#wizard-client-token-name')) === WIZARD_CLIENT, 'the token box does not name the client');
    check((await text(page, '#wizard-client-token-box')).includes('二度と表示できません'), 'no warning that the token is shown once');
    await checkNoMissingTexts(page, TEXTS);
    await shotBoth(page, '05-wizard-client-token');
    await page.click('#wizard-client-token-done');
    await visible(page, '#view-dashboard');
    check(await page.locator('#wizard').isHidden(), 'the wizard stays after the last step');
    check(await page.locator('#wizard-client-token').evaluate((e) => e.textContent) === '', 'the token stays in the page');
    const entries = await page.locator('#nav li:not([hidden]) a').count();
    check(entries === 12, `an administrator sees ${entries} menu entries, expected 12`);
  });
  return authenticator;
}

// --- 2. sign-out and sign-in --------------------------------------------------------------------------------------

async function signIn(page, user) {
  await visible(page, '#view-login');
  await page.fill('#login-username', user.username);
  await page.fill('#login-password', user.password);
  await page.click('#login-form button[type="submit"]');
}

async function signOutAndIn(page, authenticator) {
  await step('sign out, then sign in with password and TOTP (a wrong code first)', async () => {
    await page.click('#sign-out');
    await visible(page, '#view-login');
    await waitForText(page, '#notice', 'サインアウトしました');
    check(await page.locator('#nav').isHidden(), 'the menu stays after signing out');
    await shotBoth(page, '06-sign-in');
    await signIn(page, ADMIN);
    await visible(page, '#view-second');
    await page.fill('#second-code', authenticator.wrong());
    await page.click('#second-form button[type="submit"]');
    await waitForText(page, '#second-error', '確認コードが違います');
    await shotBoth(page, '07-second-factor-wrong');
    await page.fill('#second-code', await authenticator.next());
    await page.click('#second-form button[type="submit"]');
    await visible(page, '#view-dashboard');
    check((await text(page, '#user-label')).includes(ADMIN.display), 'the signed-in user is not shown');
  });
}

// --- 3. dashboard ----------------------------------------------------------------------------------------------------

async function dashboard(page, seen) {
  await step('the dashboard: link, queue, cache, requests, certificates; the menu folds at 768 px', async () => {
    await openView(page, 'dashboard');
    await page.locator('#dash-requests[data-value]').waitFor();
    check((await text(page, '#dash-link')) === '接続中', `link state "${await text(page, '#dash-link')}"`);
    const certs = await page.locator('#dash-certs tr').count();
    check(certs >= 2, `${certs} certificates on the dashboard`);
    const badge = page.locator('#dash-certs tr[data-name="upstream-client"] .expiry');
    check(/残り \d+ 日/.test(await badge.innerText()), 'the client certificate\'s days left are not shown');
    await shotBoth(page, '08-dashboard');
    await page.setViewportSize(TABLET);
    check(await page.locator('#nav').isHidden(), 'the navigation does not fold at 768 px');
    check(await page.locator('#nav-toggle').isVisible(), 'no menu button at 768 px');
    await page.click('#nav-toggle');
    await visible(page, '#nav a[data-view="settings"]');
    await shot(page, '08-dashboard-menu-768x1024');
    await page.click('#nav-toggle');
    await page.setViewportSize(DESKTOP);
    check(await page.locator('#nav').isVisible() && await page.locator('#nav-toggle').isHidden(), 'the left navigation is not back at 1280 px');
  });

  await step('the dashboard counts two new inquiries by itself within 10 s, without a reload', async () => {
    const before = Number(await page.getAttribute('#dash-requests', 'data-value'));
    const navigations = seen.navigations;
    const asked = await askPython('inquiries');
    check(asked.count === 2, `the test made ${asked.count} inquiries`);
    const started = Date.now();
    await page.waitForFunction((want) => Number(document.getElementById('dash-requests').dataset.value) === want,
      before + 2, { timeout: 10500, polling: 200 });
    console.log(`     requestsToday ${before} → ${before + 2} after ${Date.now() - started} ms`);
    check(seen.navigations === navigations, 'the page was reloaded');
    check((await text(page, '#dash-hitrate')) === '50%', `hit rate "${await text(page, '#dash-hitrate')}" after one live answer and one from the cache`);
    await shotBoth(page, '09-dashboard-after-requests');
  });
}

// --- 4. users and the lockout ---------------------------------------------------------------------------------------

async function addOperator(page) {
  await step('users: a weak initial password refused, an operator added', async () => {
    await openView(page, 'users');
    await visible(page, `#users-rows tr[data-username="${ADMIN.username}"]`);
    await page.fill('#user-add-username', OPERATOR.username);
    await page.fill('#user-add-display', OPERATOR.display);
    await page.selectOption('#user-add-role', 'operator');
    await page.fill('#user-add-password', 'password');
    await page.click('#user-add-form button[type="submit"]');
    await waitForText(page, '#user-add-error', '項目の値が正しくありません');
    await page.fill('#user-add-password', OPERATOR.password);
    await page.click('#user-add-form button[type="submit"]');
    const row = `#users-rows tr[data-username="${OPERATOR.username}"]`;
    await visible(page, row);
    check(await page.locator(`${row} select[data-field="role"]`).inputValue() === 'operator', 'the new user is not an operator');
    check((await text(page, row)).includes('二要素 未登録'), 'the new user shows a second factor');
    await waitForText(page, '#users-info', '追加しました');
    await shotBoth(page, '10-users');
  });
}

async function lockout(browser, page, tables) {
  const { context, page: other, seen } = await openBrowser(browser, 'operator browser', { viewport: TABLET });
  try {
    await step('five wrong passwords lock the operator out of this machine; every refusal reads the same, even the right password\'s', async () => {
      await other.goto(`${config.url}/admin`);
      await visible(other, '#view-login');
      const refused = tables.ja['admin.problem.sign-in-failed'];
      for (let i = 1; i <= 5; i++) {
        await other.fill('#login-username', OPERATOR.username);
        await other.fill('#login-password', `wrong-password-${i}x`);
        const res = await answerOf(other, '/admin/api/login', () => other.click('#login-form button[type="submit"]'));
        check(res.status() === 401, `wrong password ${i} answered ${res.status()}`);
        await waitForText(other, '#login-error', refused);
      }
      await other.fill('#login-password', OPERATOR.password);
      const res = await answerOf(other, '/admin/api/login', () => other.click('#login-form button[type="submit"]'));
      check(res.status() === 401, `the right password while locked answered ${res.status()}`);
      await waitForText(other, '#login-error', refused);
      check((await text(other, '#login-error')).includes('失敗が続いた端末からは'), 'the message does not say that failures block the machine');
      await shotBoth(other, '11-locked-out');
    });

    await step('the administrator sees the lock and the machine it is for, and lifts it', async () => {
      await page.click('#users-refresh');
      const row = `#users-rows tr[data-username="${OPERATOR.username}"]`;
      await page.locator(`${row} .locked`).waitFor();
      check((await text(page, row)).includes('127.0.0.1 から'), 'the locked machine is not named');
      await shotBoth(page, '12-users-locked');
      await page.click(`${row} button[data-action="unlock"]`);
      await waitForText(page, '#users-info', 'ロックを解除しました');
      check(await page.locator(`${row} .locked`).count() === 0, 'the lock badge stays');
    });

    await step('the operator signs in, enrols a second factor and sees only an operator\'s menu', async () => {
      await signIn(other, OPERATOR);
      await visible(other, '#view-enrol');
      await qrShown(other, '#enrol-qr');
      check(await other.locator('#wizard').isHidden(), 'the first-run wizard shows for a new user');
      await other.locator('#enrol-secret').filter({ hasText: /[A-Z2-7]{4}/ }).waitFor();
      const authenticator = new Authenticator((await text(other, '#enrol-secret')).replace(/\s/g, ''));
      await other.fill('#enrol-code', await authenticator.next());
      await other.click('#enrol-form button[type="submit"]');
      await visible(other, '#view-recovery');
      await other.check('#recovery-saved');
      await other.click('#recovery-continue');
      await visible(other, '#view-dashboard');
      const views = await other.locator('#nav li:not([hidden]) a').evaluateAll((as) => as.map((a) => a.dataset.view));
      check(JSON.stringify(views) === JSON.stringify(['dashboard', 'home-reception', 'readers']), `an operator's menu: ${views}`);
      await other.goto(`${config.url}/admin#users`);
      await visible(other, '#view-dashboard');
      check(await other.locator('#view-users').isHidden(), 'an operator reaches the users view by its address');
      await openView(other, 'home-reception');
      check(await other.locator('#home-manage').isHidden(), 'an operator is offered to change the URL');
      await openView(other, 'dashboard');
      await checkNoMissingTexts(other, TEXTS);
      await shot(other, '13-operator-dashboard-768x1024');
    });

    await step('users: disabling the operator ends their session (their page goes back to sign-in); enable, role, 2FA reset', async () => {
      const row = `#users-rows tr[data-username="${OPERATOR.username}"]`;
      await page.click(`${row} button[data-action="disable"]`);
      check((await text(page, `${row} button[data-action="disable"]`)) === 'もう一度押して確定', 'disabling does not ask for a second press');
      await page.click(`${row} button[data-action="disable"]`);
      await waitForText(page, '#users-info', '無効にしました');
      await page.locator(`${row} .badge-bad`).filter({ hasText: '無効' }).waitFor();
      await visible(other, '#view-login', 10000);  // the next dashboard refresh finds the session gone: 401
      await waitForText(other, '#notice', 'セッションが終了しました');
      check(await other.locator('#nav').isHidden(), 'the menu stays after the session ended');
      await shot(other, '13-operator-session-ended-768x1024');
      await page.click(`${row} button[data-action="enable"]`);
      await waitForText(page, '#users-info', '有効にしました');
      await page.selectOption(`${row} select[data-field="role"]`, 'auditor');
      await page.click(`${row} button[data-action="role"]`);
      await waitForText(page, '#users-info', '監査担当');
      check(await page.locator(`${row} select[data-field="role"]`).inputValue() === 'auditor', 'the role did not change');
      await page.click(`${row} button[data-action="reset-second-factor"]`);
      await page.click(`${row} button[data-action="reset-second-factor"]`);
      await waitForText(page, '#users-info', 'リセットしました');
      await page.locator(row).filter({ hasText: '二要素 未登録' }).waitFor();
      checkConsole(seen, EXPECTED_CONSOLE);
    });
  } finally {
    await context.close();
  }
}

// --- 5. settings ------------------------------------------------------------------------------------------------------

async function settings(page) {
  await step('settings: facility.name changed and found in its history with admin and the time', async () => {
    await openView(page, 'settings');
    const row = '#settings-rows tr[data-key="facility.name"]';
    await waitForText(page, `${row} td.value`, FACILITY_NAME);
    check((await text(page, row)).includes('管理画面'), 'facility.name set in the wizard does not show as set here');
    await page.click(`${row} button[data-action="edit"]`);
    await visible(page, '#settings-edit');
    check(await page.inputValue('#settings-edit-value') === FACILITY_NAME, 'the edit form does not hold the current value');
    await page.fill('#settings-edit-value', FACILITY_RENAMED);
    await page.click('#settings-edit-form button[type="submit"]');
    await waitForText(page, '#settings-info', '保存しました');
    await waitForText(page, `${row} td.value`, FACILITY_RENAMED);
    await page.click(`${row} button[data-action="history"]`);
    await visible(page, '#settings-history-rows tr');
    const rows = await page.locator('#settings-history-rows tr').evaluateAll((trs) => trs.map((tr) => [...tr.cells].map((c) => c.textContent)));
    const renamed = rows.find((r) => r[0] === FACILITY_RENAMED);
    check(rows.length >= 2 && renamed, `history rows ${JSON.stringify(rows)}`);
    check(renamed[2] === ADMIN.username, `changed by "${renamed[2]}", expected ${ADMIN.username}`);
    check(/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/.test(renamed[1]), `changed at "${renamed[1]}"`);
    check(rows.some((r) => r[0] === FACILITY_NAME), 'the first value is not in the history');
  });

  await step('settings: a change that waits for a restart shows 再起動後に反映', async () => {
    const row = '#settings-rows tr[data-key="upstream.baseUrl"]';
    await page.click(`${row} button[data-action="edit"]`);
    await page.fill('#settings-edit-value', 'not a url');
    await page.click('#settings-edit-form button[type="submit"]');
    await waitForText(page, '#settings-edit-error', 'https://ホスト名');
    await page.fill('#settings-edit-value', 'https://central.example.jp:8443');
    await page.click('#settings-edit-form button[type="submit"]');
    await waitForText(page, `${row} .restart-pending`, '再起動後に反映');
    await waitForText(page, '#settings-info', '再起動後に反映されます');
    await page.click('#settings-rows tr[data-key="facility.name"] button[data-action="history"]');
    await visible(page, '#settings-history-rows tr');
    await shotBoth(page, '14-settings-history');
  });
}

// --- 6. home reception, plugins, readers, certificates, backup -----------------------------------------------------

async function homeReception(page) {
  await independentStep(page, 'home reception: a URL set by hand, its QR code and the poster', async () => {
    await openView(page, 'home-reception');
    await page.fill('#home-url-input', HOME_URL);
    await page.click('#home-form button[type="submit"]');
    await waitForText(page, '#home-info', 'URL を設定しました');
    check((await text(page, '#home-url')) === HOME_URL, `the URL shown is "${await text(page, '#home-url')}"`);
    check((await text(page, '#home-source')) === '手入力', `source "${await text(page, '#home-source')}"`);
    await qrShown(page, '#home-qr');
    const poster = page.locator('#home-poster');
    check(await poster.getAttribute('href') === '/admin/api/home-reception/poster', 'the poster link is wrong');
    const res = await page.request.get(`${config.url}/admin/api/home-reception/poster`);
    check(res.status() === 200 && (await res.text()).includes('マイナ在宅受付Web'), `the poster answered ${res.status()}`);
    await shotBoth(page, '15-home-reception');
  });
}

async function plugins(page) {
  await independentStep(page, 'plugins: the built-in adapter disabled and enabled again', async () => {
    await openView(page, 'plugins');
    const row = '#plugins-rows tr[data-plugin="spec-xml"]';
    await visible(page, `${row}[data-state="enabled"]`);
    await page.click(`${row} button[data-action="reload"]`);
    await waitForText(page, '#plugins-info', '再読み込みしました');
    await page.click(`${row} button[data-action="disable"]`);
    await visible(page, `${row}[data-state="disabled"]`);
    await waitForText(page, '#plugins-info', '無効にしました');
    await page.click(`${row} button[data-action="enable"]`);
    await visible(page, `${row}[data-state="enabled"]`);
    check(await page.locator(`${row} button[data-action="settings"]`).count() === 0, 'the built-in adapter offers settings');
    await shotBoth(page, '16-plugins');
  });

  await independentStep(page, 'plugin settings: json-webhook\'s form from its schema; a wrong URL refused; the secret kept, replaced, never shown', async () => {
    const sent = [];  // the bodies of the settings form's PUTs, as the browser sent them
    const record = (r) => {
      if (r.method() === 'PUT' && r.url().includes('/admin/api/plugins/')) sent.push(JSON.parse(r.postData() || '{}'));
    };
    page.on('request', record);
    try {
      await pluginSettings(page, sent);
    } finally {
      page.off('request', record);
    }
  });

  await independentStep(page, 'plugin settings: every type of the schema subset gets its input, and is sent back typed', async () => {
    await everyType(page);
  });
}

// A schema with every type and keyword of the subset, answered for fixed-width in place of the appliance
// (no bundled plugin declares numbers, switches, lists or groups): what the form makes of it, and the PUT.
const EVERY_TYPE = {
  type: 'object',
  required: ['host', 'retries'],
  properties: {
    host: { type: 'string', title: '接続先ホスト', description: 'レセコンのホスト名です。', maxLength: 40, default: 'rececon.local' },
    retries: { type: 'integer', title: '再試行の回数', minimum: 0, maximum: 5 },
    ratio: { type: 'number', title: '比率', default: 0.5 },
    verbose: { type: 'boolean', title: '詳しく記録する', default: true },
    level: { type: 'integer', title: '段階', enum: [1, 2, 3] },
    folders: { type: 'array', title: '監視するフォルダー', default: ['in', 'in2'] },
    apiKey: { type: 'string', title: 'APIキー', secret: true, minLength: 8 },
    proxy: { type: 'object', title: 'プロキシ', properties: { url: { type: 'string', title: 'プロキシのURL' }, port: { type: 'integer', maximum: 65535 } } },
  },
};

async function everyType(page) {
  const base = '/admin/api/plugins/fixed-width/settings';
  const puts = [];
  await page.route(`${config.url}${base}`, async (route) => {
    const request = route.request();
    let values = { host: 'rececon-1', retries: 2, verbose: false, proxy: { url: 'https://proxy.example:3128' } };
    if (request.method() === 'PUT') {
      ({ values } = JSON.parse(request.postData()));
      puts.push(values);
    }
    await route.fulfill({ status: 200, contentType: 'application/json',
      body: JSON.stringify({ id: 'fixed-width', schema: EVERY_TYPE, values, secretsSet: [] }) });
  });
  try {
    const at = (name) => `#plugin-settings [data-setting="${name}"]`;
    const attrs = (name) => page.locator(at(name)).evaluate((c) => ({
      tag: c.tagName.toLowerCase(), type: c.type, value: c.value, checked: c.checked, required: c.required,
      step: c.getAttribute('step'), min: c.getAttribute('min'), max: c.getAttribute('max'), placeholder: c.placeholder,
      maxlength: c.getAttribute('maxlength'), minlength: c.getAttribute('minlength'),
      help: (c.getAttribute('aria-describedby') || '').split(' ').filter(Boolean).map((id) => document.getElementById(id).textContent),
      options: c.options ? [...c.options].map((o) => o.textContent) : null }));
    await page.click('#plugins-rows tr[data-plugin="fixed-width"] button[data-action="settings"]');
    await visible(page, at('proxy.port'));
    const host = await attrs('host');
    check(host.type === 'text' && host.value === 'rececon-1' && host.required && host.maxlength === '40'
      && host.placeholder === 'rececon.local' && host.help.includes('レセコンのホスト名です。'), `host ${JSON.stringify(host)}`);
    const retries = await attrs('retries');
    check(retries.type === 'number' && retries.step === '1' && retries.min === '0' && retries.max === '5' && retries.value === '2'
      && retries.required, `retries ${JSON.stringify(retries)}`);
    const ratio = await attrs('ratio');
    check(ratio.type === 'number' && ratio.step === 'any' && ratio.value === '' && ratio.placeholder === '0.5', `ratio ${JSON.stringify(ratio)}`);
    const verbose = await attrs('verbose');
    check(verbose.type === 'checkbox' && !verbose.checked, `verbose ${JSON.stringify(verbose)} (false, its default true)`);
    const level = await attrs('level');
    check(level.tag === 'select' && JSON.stringify(level.options) === '["（未設定）","1","2","3"]' && level.value === '', `level ${JSON.stringify(level)}`);
    const folders = await attrs('folders');
    check(folders.tag === 'textarea' && folders.placeholder === 'in\nin2' && folders.help.some((h) => h.includes('1 行に 1 つ')),
      `folders ${JSON.stringify(folders)}`);
    const apiKey = await attrs('apiKey');
    check(apiKey.type === 'password' && apiKey.value === '' && !apiKey.required && apiKey.minlength === '8'
      && apiKey.help.includes('未設定'), `apiKey ${JSON.stringify(apiKey)}`);
    check((await text(page, '#plugin-settings fieldset[data-setting="proxy"] legend')).includes('プロキシ'), 'the group has no legend');
    check(await page.inputValue(at('proxy.url')) === 'https://proxy.example:3128', 'the group\'s value is not shown');
    check((await text(page, `label[for="${await page.getAttribute(at('retries'), 'id')}"]`)).includes('必須'), 'retries is not marked required');
    await checkNoMissingTexts(page, TEXTS);

    await page.fill(at('retries'), '3');
    await page.check(at('verbose'));
    await page.selectOption(at('level'), { label: '2' });
    await page.fill(at('folders'), 'in\n\n  out  ');
    await page.fill(at('proxy.port'), '8080');
    await shotBoth(page, '16-plugin-settings-types');
    await page.click('#plugin-settings-form button[type="submit"]');
    await waitForText(page, '#plugin-settings-info', '設定を保存しました');
    const expected = { host: 'rececon-1', retries: 3, verbose: true, level: 2, folders: ['in', 'out'],
      proxy: { url: 'https://proxy.example:3128', port: 8080 } };
    check(JSON.stringify(puts.at(-1)) === JSON.stringify(expected), `sent ${JSON.stringify(puts.at(-1))}`);
    check((await attrs('level')).value === '1' && (await attrs('verbose')).checked, 'the saved values are not shown again');
    await page.click('#plugin-settings-close');
  } finally {
    await page.unroute(`${config.url}${base}`);
  }
}

// No secret anywhere in the page: not in its markup, not in any field's value.
async function checkNoSecret(page, secrets) {
  const html = await page.content();
  const values = await page.evaluate(() => [...document.querySelectorAll('input, textarea, select')].map((c) => c.value).join('\n'));
  for (const secret of secrets) check(!html.includes(secret) && !values.includes(secret), 'a secret setting is in the page');
}

async function pluginSettings(page, sent) {
  const row = '#plugins-rows tr[data-plugin="json-webhook"]';
  const url = '#plugin-settings [data-setting="callbackUrl"]';
  const token = '#plugin-settings [data-setting="callbackToken"]';
  const secrets = [config.pluginSecret, PLUGIN_SECRET_NEW];
  await visible(page, `${row}[data-state="enabled"] button[data-action="settings"]`);
  await page.click(`${row} button[data-action="settings"]`);
  await visible(page, '#plugin-settings');
  check((await text(page, '#plugin-settings-title')).includes('json-webhook'), 'the form does not name the plugin');
  check(await page.inputValue(url) === 'https://chart.example/hook', `the URL shown is "${await page.inputValue(url)}"`);
  const urlLabel = await text(page, `label[for="${await page.getAttribute(url, 'id')}"]`);
  check(urlLabel.includes('結果の送信先URL') && urlLabel.includes('必須'), `the URL's label "${urlLabel}"`);
  check(await page.getAttribute(url, 'required') !== null && (await page.getAttribute(url, 'pattern') || '').includes('https?://'),
    'the URL lacks its required and pattern constraints');
  check(await page.getAttribute(token, 'type') === 'password' && await page.inputValue(token) === '', 'the token field is not an empty password field');
  check(await page.getAttribute(token, 'minlength') === '16' && await page.getAttribute(token, 'required') === null,
    'the token field\'s constraints are wrong');
  await waitForText(page, '#plugin-settings .secret-state', '設定済み（変更する場合のみ入力）');
  await checkNoSecret(page, secrets);
  await checkNoMissingTexts(page, TEXTS);
  await shotBoth(page, '16-plugin-settings');

  // A URL the schema's pattern refuses: the browser stops it; sent anyway, the appliance names the setting.
  await page.fill(url, 'ftp://chart.example/hook');
  await page.click('#plugin-settings-form button[type="submit"]');
  check(await page.locator(url).evaluate((c) => c.validity.patternMismatch), 'the browser does not check the pattern');
  await page.waitForTimeout(300);
  check(sent.length === 0, 'a URL against the pattern was sent');
  await page.locator('#plugin-settings-form').evaluate((form) => { form.noValidate = true; });  // as a browser without the check
  let res = await answerOf(page, '/admin/api/plugins/json-webhook/settings', () => page.click('#plugin-settings-form button[type="submit"]'));
  check(res.status() === 422, `a wrong URL answered ${res.status()}`);
  await waitForText(page, '#plugin-settings-error', 'settings.callbackUrl');
  check(await page.getAttribute(url, 'aria-invalid') === 'true', 'the refused field is not marked');
  await shotBoth(page, '16-plugin-settings-refused');
  await page.locator('#plugin-settings-form').evaluate((form) => { form.noValidate = false; });

  // A new URL with the token field left empty: the token is not sent and stays set.
  await page.fill(url, 'https://chart.example/v2/hook');
  res = await answerOf(page, '/admin/api/plugins/json-webhook/settings', () => page.click('#plugin-settings-form button[type="submit"]'));
  check(res.status() === 200, `saving a new URL answered ${res.status()}`);
  check(JSON.stringify(Object.keys(sent.at(-1).values)) === '["callbackUrl"]', `sent ${JSON.stringify(Object.keys(sent.at(-1).values))}`);
  await waitForText(page, '#plugin-settings-info', '設定を保存しました');
  check(await page.locator('#plugin-settings-error').isHidden(), 'the refusal stays on screen');
  check(await page.inputValue(url) === 'https://chart.example/v2/hook', 'the saved URL is not shown');
  await waitForText(page, '#plugin-settings .secret-state', '設定済み');
  await visible(page, `${row}[data-state="enabled"]`);

  // A new token: sent once, then gone from the field and the page; still 設定済み.
  await page.fill(token, PLUGIN_SECRET_NEW);
  res = await answerOf(page, '/admin/api/plugins/json-webhook/settings', () => page.click('#plugin-settings-form button[type="submit"]'));
  check(res.status() === 200, `saving a new token answered ${res.status()}`);
  check(sent.at(-1).values.callbackToken === PLUGIN_SECRET_NEW, 'the new token was not sent');
  await waitForText(page, '#plugin-settings-info', '設定を保存しました');
  check(await page.inputValue(token) === '', 'the token stays in its field after saving');
  await waitForText(page, '#plugin-settings .secret-state', '設定済み');
  await checkNoSecret(page, secrets);
  await page.click('#plugin-settings-close');
  check(await page.locator('#plugin-settings').isHidden(), 'the form does not close');
  check(await page.locator('#plugin-settings-fields > *').count() === 0, 'the closed form keeps its fields');
}

async function readers(page) {
  await independentStep(page, 'card readers: the service and readers, or that they are off', async () => {
    await openView(page, 'readers');
    await page.waitForFunction(() => !document.getElementById('readers-service').hidden || !document.getElementById('readers-off').hidden);
    check((await text(page, '#view-readers')).includes('/staff'), 'the staff page is not mentioned');
    await shotBoth(page, '17-readers');
  });
}

// --- 6b. channels and the HTTP API's clients ---------------------------------------------------------------

async function channels(page) {
  let token = '';
  await independentStep(page, 'channels: the listeners read only; an API client added, its token shown once and working', async () => {
    await openView(page, 'channels');
    await waitForText(page, '#channels-file-state', '使用中');
    check((await text(page, '#channels-file-root')).endsWith('/share'), `share folder "${await text(page, '#channels-file-root')}"`);
    check(/^127\.0\.0\.1:\d+$/.test(await text(page, '#channels-http-listen')), `listener "${await text(page, '#channels-http-listen')}"`);
    check((await text(page, '#channels-http-tls')) === 'HTTP（暗号化なし）', `TLS "${await text(page, '#channels-http-tls')}"`);
    check((await text(page, '#view-channels .callout')).includes('/etc/kakehashi/kakehashi.json'), 'the configuration file is not named');
    check(await page.locator('#view-channels input:not([type="file"]), #view-channels textarea').count() === 2, 'the listeners are offered for editing');
    await visible(page, `#clients-rows tr[data-client="${WIZARD_CLIENT}"]`);  // made in the wizard
    check((await text(page, `#clients-rows tr[data-client="${WIZARD_CLIENT}"]`)).includes('127.0.0.0/8'), 'the wizard\'s client lacks its CIDR');

    await page.fill('#client-add-name', WIZARD_CLIENT);
    await page.click('#client-add-form button[type="submit"]');
    await waitForText(page, '#client-add-error', 'すでにあります');
    await page.fill('#client-add-name', CLIENT);
    await page.fill('#client-add-cidrs', '192.168.1.300/24');
    let res = await answerOf(page, '/admin/api/api-clients', () => page.click('#client-add-form button[type="submit"]'));
    check(res.status() === 422, `an address outside its range answered ${res.status()}`);
    await waitForText(page, '#client-add-error', '192.168.1.0/24 のように');
    await page.fill('#client-add-cidrs', '192.168.1.0/24\n127.0.0.0/8');
    res = await answerOf(page, '/admin/api/api-clients', () => page.click('#client-add-form button[type="submit"]'));
    check(res.status() === 201, `adding a client answered ${res.status()}`);
    await visible(page, '#channels-token-box');
    token = await text(page, '#channels-token');
    check(TOKEN.test(token), `the token "${token}" is not one`);
    check((await text(page, '#channels-token-name')) === CLIENT, 'the token box does not name the client');
    check((await text(page, '#channels-token-box')).includes('二度と表示できません'), 'no warning that the token is shown once');
    await waitForText(page, '#channels-info', `「${CLIENT}」を追加しました`);
    const row = `#clients-rows tr[data-client="${CLIENT}"]`;
    check((await page.locator(`${row} code.badge`).allInnerTexts()).join(' ') === '192.168.1.0/24 127.0.0.0/8', 'the client\'s CIDRs are not listed');
    check(await page.inputValue('#client-add-name') === '', 'the add form keeps the name');
    await page.click('#channels-token-copy');
    await visible(page, '#channels-token-copied');
    const copied = await page.evaluate(() => navigator.clipboard.readText().catch(() => null));
    check(copied === token || (copied === null && (await text(page, '#channels-token-copied')).includes('Ctrl+C')),
      'the copy button neither copied nor selected the token');
    await checkNoMissingTexts(page, TEXTS);
    await shotBoth(page, '18-channels-token');

    const { statuses } = await askPython('api-token', 30000, { tokens: [token] });
    check(statuses[0] === 200, `the LAN API answered ${statuses} to the new token`);
    await openView(page, 'dashboard');
    check(!(await page.content()).includes(token), 'the token stays in the page after leaving the view');
    await openView(page, 'channels');
    await visible(page, row);
    check(await page.locator('#channels-token-box').isHidden(), 'the token box shows again');
  });

  await independentStep(page, 'channels: the client revoked after a second press; its token is refused at once', async () => {
    check(token, 'no token from the step before');
    const row = `#clients-rows tr[data-client="${CLIENT}"]`;
    await page.click(`${row} button[data-action="revoke"]`);
    check((await text(page, `${row} button[data-action="revoke"]`)) === 'もう一度押して確定', 'revoking does not ask for a second press');
    await page.click(`${row} button[data-action="revoke"]`);
    await waitForText(page, '#channels-info', '失効させました');
    await page.locator(row).waitFor({ state: 'detached' });
    const { statuses } = await askPython('api-token-revoked', 30000, { tokens: [token] });
    check(statuses[0] === 401, `the LAN API answered ${statuses} to the revoked token`);
    await shotBoth(page, '18-channels');
  });

  await independentStep(page, 'channels: the wizard\'s client gets a new token; the old one is refused, the new one accepted', async () => {
    const row = `#clients-rows tr[data-client="${WIZARD_CLIENT}"]`;
    await page.click(`${row} button[data-action="reissue"]`);
    await page.click(`${row} button[data-action="reissue"]`);
    await visible(page, '#channels-token-box');
    await waitForText(page, '#channels-info', '新しいトークンを発行しました');
    const renewed = await text(page, '#channels-token');
    check(TOKEN.test(renewed) && renewed !== tokens[WIZARD_CLIENT], 'no new token shown');
    check((await text(page, row)).includes('127.0.0.0/8'), 'the new token lost the client\'s addresses');
    const { statuses } = await askPython('api-token-reissued', 30000, { tokens: [tokens[WIZARD_CLIENT], renewed] });
    check(JSON.stringify(statuses) === '[401,200]', `the LAN API answered ${statuses} to the old and the new token`);
    await page.click('#channels-token-done');
    check(await page.locator('#channels-token').evaluate((e) => e.textContent) === '', 'the closed box keeps the token');
  });
}

// --- 6c. the log viewer ------------------------------------------------------------------------------------

// "2026-11-29T15:59:05.123Z" → "2026-11-30 00:59:05.123": what the page must show, computed here.
function inJapan(utc) {
  const shifted = new Date(new Date(utc).getTime() + 9 * 3600 * 1000).toISOString();
  return `${shifted.slice(0, 10)} ${shifted.slice(11, 23)}`;
}

const logRows = (page) => page.locator('#logs-rows tr').evaluateAll((trs) => trs.map((tr) => ({
  level: tr.dataset.level, event: tr.dataset.event, ts: tr.cells[0].dataset.ts, shown: tr.cells[0].textContent,
  badge: tr.cells[1].firstElementChild.className, fields: tr.cells[3].textContent,
})));

async function logs(page) {
  await independentStep(page, 'logs: newest first in Japan time; level warn and the event prefix admin. narrow the rows', async () => {
    await openView(page, 'logs');
    await visible(page, '#logs-rows tr');
    const all = await logRows(page);
    check(all.length >= 5, `${all.length} log lines`);
    check(all.every((r, i) => i === 0 || r.ts <= all[i - 1].ts), 'the lines are not newest first');
    const wrongTime = all.find((r) => r.shown !== inJapan(r.ts));
    check(!wrongTime, `a time not in Japan time: ${JSON.stringify(wrongTime)}`);
    check(all.some((r) => r.level === 'info') && all.some((r) => r.level === 'warn'), 'no info and warn lines to filter');
    check(all.every((r) => r.badge === `level level-${r.level}`), 'a level is not coloured by its class');
    const code = all.find((r) => r.event === 'admin.setup_code');
    check(code && /\bcode=[A-Z0-9-]+/.test(code.fields) && code.fields.includes('url=https://'), 'the other fields are not shown as key=value');
    check(/^\d+ 行/.test(await text(page, '#logs-count')), `count line "${await text(page, '#logs-count')}"`);
    await checkNoMissingTexts(page, TEXTS);
    await shotBoth(page, '19-logs');

    await page.selectOption('#logs-level', 'warn');
    await page.click('#logs-filter button[type="submit"]');
    await page.waitForFunction((n) => {
      const rows = [...document.querySelectorAll('#logs-rows tr')];
      return rows.length > 0 && rows.length < n && rows.every((tr) => ['warn', 'error'].includes(tr.dataset.level));
    }, all.length);
    const warn = await logRows(page);
    check(warn.length === all.filter((r) => r.level === 'warn' || r.level === 'error').length, 'warn and above: not the same lines');

    await page.fill('#logs-event', 'admin.');
    await page.click('#logs-filter button[type="submit"]');
    await page.waitForFunction(() => [...document.querySelectorAll('#logs-rows tr')].every((tr) => tr.dataset.event.startsWith('admin.')));
    const adminWarn = await logRows(page);
    check(adminWarn.length > 0 && adminWarn.length <= warn.length, `admin. and warn: ${adminWarn.length} of ${warn.length}`);
    check(adminWarn.every((r) => r.level !== 'info'), 'info lines under warn');

    await page.selectOption('#logs-level', 'debug');
    await page.click('#logs-filter button[type="submit"]');
    await page.waitForFunction((n) => document.querySelectorAll('#logs-rows tr').length > n, adminWarn.length);
    const admin = await logRows(page);
    check(admin.every((r) => r.event.startsWith('admin.')) && admin.some((r) => r.level === 'info'), 'admin. at every level');
    check(admin.length < all.length, 'the event prefix does not narrow the lines');
    await page.fill('#logs-q', 'setup_code');
    await page.click('#logs-filter button[type="submit"]');
    await page.waitForFunction(() => document.querySelectorAll('#logs-rows tr').length === 1);
    await page.fill('#logs-q', 'no-such-text-here');
    await page.click('#logs-filter button[type="submit"]');
    await visible(page, '#logs-empty');
    await page.fill('#logs-q', '');
    await page.fill('#logs-event', 'admin.');
    await page.selectOption('#logs-level', 'warn');
    await page.click('#logs-filter button[type="submit"]');
    await page.waitForFunction((n) => document.querySelectorAll('#logs-rows tr').length === n, adminWarn.length);
    await shotBoth(page, '19-logs-filtered');
    await page.click('#logs-filter button[type="reset"]');
    await page.waitForFunction((n) => document.querySelectorAll('#logs-rows tr').length >= n, all.length);
  });

  await independentStep(page, 'logs: the auto-refresh reads the log again every 10 s', async () => {
    const isLogs = (r) => r.url().includes('/admin/api/logs?') && r.request().method() === 'GET';
    await Promise.all([page.waitForResponse(isLogs, { timeout: 3000 }), page.check('#logs-auto')]);
    const started = Date.now();
    await page.waitForResponse(isLogs, { timeout: 12500 });
    const after = Date.now() - started;
    check(after > 9000, `read again after ${after} ms, expected 10 s`);
    await page.uncheck('#logs-auto');
  });
}

// --- 7. certificates -----------------------------------------------------------------------------------------------

const fingerprintOf = (page, name) => text(page, `#certs-list article[data-name="${name}"] .fingerprint`);

async function pendingSeconds(page) {
  const m = /(\d+)/.exec(await text(page, '#certs-pending-text'));
  return m ? Number(m[1]) : -1;
}

async function certificates(page) {
  await step('certificates: the client certificate and the central CA with expiry and fingerprints', async () => {
    await openView(page, 'certificates');
    check(await page.locator('#certs-unavailable').isHidden(), 'the certificates view says the API is missing');
    await visible(page, '#certs-list article[data-name="upstream-client"]');
    await visible(page, '#certs-list article[data-name="central-ca"]');
    const fingerprint = await fingerprintOf(page, 'upstream-client');
    check(/^([0-9A-F]{2}:){31}[0-9A-F]{2}$/.test(fingerprint), `fingerprint "${fingerprint}"`);
  });

  await step('a PKCS#12 with a wrong passphrase is refused; with the right one it is used on trial, then kept', async () => {
    const before = await fingerprintOf(page, 'upstream-client');
    await page.setInputFiles('#cert-p12-file', config.p12);
    await page.fill('#cert-p12-passphrase', 'not-the-passphrase');
    await page.click('#cert-p12-form button[type="submit"]');
    await waitForText(page, '#certs-error', 'パスフレーズが違います');
    check(await page.locator('#certs-pending').isHidden(), 'a refused upload shows a change on trial');
    await page.fill('#cert-p12-passphrase', config.p12Passphrase);
    await page.click('#cert-p12-form button[type="submit"]');
    await visible(page, '#certs-pending');
    await waitForText(page, '#certs-info', '使用を開始しました');
    check((await fingerprintOf(page, 'upstream-client')) !== before, 'the new certificate is not listed');
    check(await page.locator('#certs-list article[data-name="upstream-client"] .expiry-60').count() === 1,
      'a certificate with 45 days left is not marked with the 60-day warning');
    const first = await pendingSeconds(page);
    await page.waitForTimeout(2100);
    const later = await pendingSeconds(page);
    check(first > 0 && later < first, `the confirmation window does not count down: ${first} → ${later}`);
    await waitForText(page, '#certs-pending-link', '接続中');
    await shotBoth(page, '24-certificates-on-trial');
    await page.click('#certs-confirm');
    await waitForText(page, '#certs-info', '確定しました');
    check(await page.locator('#certs-pending').isHidden(), 'the change stays on trial after 確定する');
  });

  await step('a CSR made on the box, signed by the facility CA, uploaded, then put back with 元に戻す', async () => {
    const before = await fingerprintOf(page, 'upstream-client');
    const [download] = await Promise.all([page.waitForEvent('download'), page.click('#cert-csr')]);
    await download.saveAs(path.join(config.markers, 'request.csr'));
    const csr = fs.readFileSync(path.join(config.markers, 'request.csr'), 'utf8');
    check(csr.startsWith('-----BEGIN CERTIFICATE REQUEST-----'), 'the download is not a CSR');
    check(/\.csr$/.test(download.suggestedFilename()), `CSR file name ${download.suggestedFilename()}`);
    await visible(page, '#certs-csr-pending');
    const { pem } = await askPython('sign-csr');
    await page.setInputFiles('#cert-signed-file', pem);
    await page.click('#cert-signed-form button[type="submit"]');
    await visible(page, '#certs-pending');
    check((await fingerprintOf(page, 'upstream-client')) !== before, 'the signed certificate is not listed');
    check(await page.locator('#certs-csr-pending').isHidden(), 'the CSR still shows as pending');
    await page.click('#certs-revert');
    await waitForText(page, '#certs-info', '元の証明書に戻しました');
    check((await fingerprintOf(page, 'upstream-client')) === before, 'the previous certificate is not back');
  });

  await step('the central CA uploaded (the same CA) and kept', async () => {
    await page.setInputFiles('#cert-ca-file', config.centralCa);
    await page.click('#cert-ca-form button[type="submit"]');
    await visible(page, '#certs-pending');
    await page.click('#certs-confirm');
    await waitForText(page, '#certs-info', '確定しました');
    await shotBoth(page, '25-certificates');
  });
}

// --- 8. backup, configuration, restore and restart -----------------------------------------------------------------

async function backupAndRestore(page, authenticator) {
  const backupFile = path.join(config.markers, 'backup.khbk');
  await step('backup: differing and short passphrases refused; the sealed backup downloads', async () => {
    await openView(page, 'backup');
    check(await page.locator('#backup-unavailable').isHidden(), 'the backup view says the API is missing');
    await page.fill('#backup-passphrase', 'one-passphrase-here');
    await page.fill('#backup-passphrase2', 'another-passphrase');
    await page.click('#backup-form button[type="submit"]');
    await waitForText(page, '#backup-error', '一致しません');
    await page.fill('#backup-passphrase', 'short-pass');
    await page.fill('#backup-passphrase2', 'short-pass');
    await page.click('#backup-form button[type="submit"]');
    await waitForText(page, '#backup-error', '12文字以上');
    await page.fill('#backup-passphrase', BACKUP_PASSPHRASE);
    await page.fill('#backup-passphrase2', BACKUP_PASSPHRASE);
    await page.check('#backup-cache');
    const [download] = await Promise.all([page.waitForEvent('download'), page.click('#backup-form button[type="submit"]')]);
    await download.saveAs(backupFile);
    check(/^kakehashi-backup-\d{8}-\d{6}\.khbk$/.test(download.suggestedFilename()), `backup file name ${download.suggestedFilename()}`);
    check(fs.readFileSync(backupFile).subarray(0, 6).toString() === 'KKHBK1', 'the download is not a sealed backup');
    await waitForText(page, '#backup-info', 'ダウンロードしました');
    check(await page.inputValue('#backup-passphrase') === '', 'the passphrase stays in the form');
  });

  await step('configuration: exported as JSON and imported back (nothing changes)', async () => {
    const file = path.join(config.markers, 'config.json');
    const [download] = await Promise.all([page.waitForEvent('download'), page.click('#config-export')]);
    await download.saveAs(file);
    const exported = JSON.parse(fs.readFileSync(file, 'utf8'));
    check(exported.format === 'kakehashi-config-1', `format ${exported.format}`);
    check(exported.settings['facility.name'] === FACILITY_RENAMED, 'the export lacks facility.name');
    await page.setInputFiles('#config-import-file', file);
    await page.click('#config-import-form button[type="submit"]');
    await waitForText(page, '#backup-info', '変更 0 件');
  });

  await step('restore: a wrong passphrase refused; staged with its contents; the restart brings the old name back', async () => {
    await openView(page, 'settings');
    const row = '#settings-rows tr[data-key="facility.name"]';
    await page.click(`${row} button[data-action="edit"]`);
    await page.fill('#settings-edit-value', '一時的な名称');
    await page.click('#settings-edit-form button[type="submit"]');
    await waitForText(page, `${row} td.value`, '一時的な名称');
    await openView(page, 'backup');
    await page.setInputFiles('#restore-file', backupFile);
    await page.fill('#restore-passphrase', 'not-the-passphrase-2026');
    await page.click('#restore-form button[type="submit"]');
    await waitForText(page, '#backup-error', 'バックアップを開けません');
    await page.setInputFiles('#restore-file', backupFile);
    await page.fill('#restore-passphrase', BACKUP_PASSPHRASE);
    await page.click('#restore-form button[type="submit"]');
    await visible(page, '#restore-staged');
    const facts = await text(page, '#restore-contents');
    check(facts.includes('ユーザー') && facts.includes('設定'), `staged contents: ${facts}`);
    await shotBoth(page, '26-backup-staged');
    const reloaded = page.waitForEvent('load', { timeout: 120000 });
    await page.click('#restart');
    await waitForText(page, '#backup-info', '再起動しています');
    const { exitCode } = await askPython('restart', 90000);
    check(exitCode === 75, `the gateway exited with ${exitCode} for its restart`);
    await reloaded;  // the page reloads by itself once the appliance answers again
    await page.waitForFunction(() => !document.getElementById('view-login').hidden || !document.getElementById('nav').hidden);
    if (await page.locator('#view-login').isVisible()) {
      await signIn(page, ADMIN);
      await visible(page, '#view-second');
      await page.fill('#second-code', await authenticator.next());
      await page.click('#second-form button[type="submit"]');
      await visible(page, '#view-backup');  // back where the administrator was
    }
    await openView(page, 'settings');
    await waitForText(page, `${row} td.value`, FACILITY_RENAMED);
  });
  return backupFile;
}

// Signs in again after a restart when the page asks for it (the session may have outlived the restart).
async function signInIfAsked(page, authenticator) {
  await page.waitForFunction(() => !document.getElementById('view-login').hidden || !document.getElementById('nav').hidden);
  if (await page.locator('#view-login').isHidden()) return;
  await signIn(page, ADMIN);
  await visible(page, '#view-second');
  await page.fill('#second-code', await authenticator.next());
  await page.click('#second-form button[type="submit"]');
  await visible(page, '#nav');
}

// --- 9. a wiped box back from its backup through the first-run wizard --------------------------------------------

async function wipeAndRestore(page, authenticator, backupFile) {
  await step('a wiped box: the wizard restores the backup with the new setup code (a wrong passphrase first) and restarts', async () => {
    const { setupCode } = await askPython('reset', 60000);
    check(setupCode && setupCode !== config.setupCode, `the wiped box's setup code "${setupCode}"`);
    await page.goto(`${config.url}/admin`);
    await visible(page, '#view-setup');
    await page.click('#restore-open');
    await visible(page, '#setup-restore');
    check(await page.locator('#setup-restore-unavailable').isHidden(), 'the wizard says the restore is missing');
    await page.fill('#setup-restore-code', setupCode);
    await page.setInputFiles('#setup-restore-file', backupFile);
    await page.fill('#setup-restore-passphrase', 'not-the-passphrase-2026');
    const res = await answerOf(page, '/admin/api/setup/restore', () => page.click('#setup-restore-form button[type="submit"]'));
    check(res.status() === 422, `a wrong passphrase answered ${res.status()}`);
    await waitForText(page, '#setup-restore-error', 'バックアップを開けません');
    await page.fill('#setup-restore-passphrase', BACKUP_PASSPHRASE);
    await shotBoth(page, '27-wizard-restore');
    const reloaded = page.waitForEvent('load', { timeout: 120000 });
    await page.click('#setup-restore-form button[type="submit"]');
    await waitForText(page, '#setup-restore-done', '再起動しています');
    check(await page.locator('#setup-restore-error').isHidden(), 'the wrong passphrase\'s message stays');
    const { exitCode } = await askPython('restore-restart', 90000);
    check(exitCode === 75, `the gateway exited with ${exitCode} for its restart`);
    await reloaded;  // the page reloads by itself once the box no longer asks for a setup
    await visible(page, '#view-login');
    check(await page.locator('#view-setup').isHidden(), 'the restored box still asks for a setup');
  });

  await step('the old administrator signs in with the old password and TOTP; settings show the old facility name', async () => {
    await signIn(page, ADMIN);
    await visible(page, '#view-second');
    await page.fill('#second-code', await authenticator.next());
    await page.click('#second-form button[type="submit"]');
    await visible(page, '#view-dashboard');
    check((await text(page, '#user-label')).includes(ADMIN.display), 'the restored administrator is not shown');
    await openView(page, 'settings');
    await waitForText(page, '#settings-rows tr[data-key="facility.name"] td.value', FACILITY_RENAMED);
    await shotBoth(page, '28-restored-settings');
  });
}

// --- 10. a certificate change nobody confirms ----------------------------------------------------------------------

async function rollBack(page, authenticator) {
  await step('a certificate left unconfirmed rolls back by itself after the (5 s) window; the page says so', async () => {
    const { confirmSeconds } = await askPython('short-window', 60000);
    await page.goto(`${config.url}/admin#certificates`);
    await signInIfAsked(page, authenticator);
    await openView(page, 'certificates');
    await visible(page, '#certs-list article[data-name="upstream-client"]');
    const before = await fingerprintOf(page, 'upstream-client');
    await page.setInputFiles('#cert-p12-file', config.p12Rollback);
    await page.fill('#cert-p12-passphrase', config.p12Passphrase);
    await page.click('#cert-p12-form button[type="submit"]');
    await visible(page, '#certs-pending');
    const seconds = await pendingSeconds(page);
    check(seconds > 0 && seconds <= confirmSeconds, `${seconds} s to confirm, expected at most ${confirmSeconds}`);
    check((await fingerprintOf(page, 'upstream-client')) !== before, 'the certificate on trial is not listed');
    await waitForText(page, '#certs-ended', '元の証明書に戻しました', (confirmSeconds + 10) * 1000);
    check(await page.locator('#certs-pending').isHidden(), 'the change still shows as on trial');
    check((await fingerprintOf(page, 'upstream-client')) === before, 'the previous certificate is not listed again');
    await shotBoth(page, '29-certificates-rolled-back');
  });
}

// --- 7. the audit log -------------------------------------------------------------------------------------------------

async function audit(page) {
  await step('audit: 改ざん検査 finds the chain intact; filter and CSV export', async () => {
    await openView(page, 'audit');
    await visible(page, '#audit-rows tr');
    await page.click('#audit-verify');
    await visible(page, '#audit-verdict[data-state="intact"]');
    check((await text(page, '#audit-verdict-title')) === '改ざんなし', `verdict "${await text(page, '#audit-verdict-title')}"`);
    await page.fill('#audit-action', 'admin.setting-changed');
    await page.click('#audit-filter button[type="submit"]');
    await page.waitForFunction(() => [...document.querySelectorAll('#audit-rows tr')].every((tr) => tr.textContent.includes('admin.setting-changed')));
    const count = await page.locator('#audit-rows tr').count();
    check(count >= 3, `${count} setting changes in the audit log, expected at least 3`);
    const href = await page.getAttribute('#audit-export', 'href');
    check(href.startsWith('/admin/api/audit/export.csv?') && href.includes('action=admin.setting-changed'), `CSV link ${href}`);
    const csv = await page.request.get(`${config.url}${href}`);
    const body = await csv.body();
    check(csv.status() === 200 && body.subarray(0, 3).equals(Buffer.from([0xef, 0xbb, 0xbf])), `the CSV answered ${csv.status()}`);
    check(body.toString('utf8').includes('admin.setting-changed'), 'the CSV lacks the filtered rows');
    await shotBoth(page, '20-audit-intact');
  });

  await step('audit: after a row is altered in the database, 改ざん検査 names it', async () => {
    const { row } = await askPython('tamper');
    await page.click('#audit-verify');
    await visible(page, '#audit-verdict[data-state="broken"]');
    const title = await text(page, '#audit-verdict-title');
    check(title.includes('改ざんを検出しました') && title.includes(`#${row}`), `verdict "${title}", expected row ${row}`);
    await visible(page, `#audit-rows tr.broken-row[data-id="${row}"]`);
    await shotBoth(page, '21-audit-broken');
  });
}

// --- 8. language ------------------------------------------------------------------------------------------------------

async function english(page, tables) {
  await step('the language switch: English texts, no key left untranslated', async () => {
    await page.click('button[data-lang="en"]');
    await waitForText(page, '#audit-verdict-title', 'Tampering detected');
    check(await page.locator('html').getAttribute('lang') === 'en', 'html lang is not en');
    check((await text(page, '#nav a[data-view="dashboard"]')) === tables.en['admin.nav.dashboard'], 'the menu did not change');
    await checkNoMissingTexts(page, TEXTS);
    await shot(page, '22-audit-en-1280x800');
    await openView(page, 'dashboard');
    await page.locator('#dash-requests[data-value]').waitFor();
    await waitForText(page, '#dash-link', tables.en['admin.dash.linkUp']);
    await checkNoMissingTexts(page, TEXTS);
    await shot(page, '23-dashboard-en-1280x800');
    await page.click('button[data-lang="ja"]');
    await waitForText(page, '#dash-link', '接続中');
  });
}

// --- 11. the per-machine throttle ----------------------------------------------------------------------------------

// Last of all: it leaves this machine (every browser here is 127.0.0.1) a few seconds per sign-in try.
async function throttle(browser, tables) {
  const { context, page, seen } = await openBrowser(browser, 'guessing browser');
  try {
    await step('a machine that keeps failing is slowed down: 429, and the page says when to try again', async () => {
      await page.goto(`${config.url}/admin`);
      await visible(page, '#view-login');
      let status = 0;
      for (let i = 1; i <= 40 && status !== 429; i++) {
        await page.fill('#login-username', `guess-${i}`);
        await page.fill('#login-password', `wrong-password-${i}x`);
        status = (await answerOf(page, '/admin/api/login', () => page.click('#login-form button[type="submit"]'))).status();
      }
      check(status === 429, `the throttle never answered (last ${status})`);
      await waitForText(page, '#login-error', tables.ja['admin.problem.too-many-attempts']);
      await page.locator('#login-error').filter({ hasText: /\d+ 秒後にもう一度お試しください/ }).waitFor();
      await shotBoth(page, '30-too-many-attempts');
      checkConsole(seen, EXPECTED_CONSOLE);
    });
  } finally {
    await context.close();
  }
}

// --- the run -------------------------------------------------------------------------------------------------------------

// One browser: its own cookies and its own connections to the appliance (HTTPS with the box's own
// certificate); its console watched and its page loads counted, so a reload shows.
async function openBrowser(browser, label, options = {}) {
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
// read timeout). The next phase opens the browser again, with the cookies it had (the session outlives a
// restart) or without (a wiped box knows no session).
async function closeBrowser(session) {
  checkConsole(session.seen, EXPECTED_CONSOLE);
  const state = await session.context.storageState();
  await session.context.close();
  return state;
}

async function run(browser) {
  let session = await openBrowser(browser, 'administrator browser', ADMIN_BROWSER);
  // The text tables, fetched like the page does (through the browser context: the certificate is the box's own).
  const tables = await textTables(session.context, config.url);
  await onSession(() => session, async () => {
    const { page, seen } = session;
    const authenticator = await firstRun(page, tables);
    await signOutAndIn(page, authenticator);
    await dashboard(page, seen);
    await addOperator(page);
    await lockout(browser, page, tables);
    await settings(page);
    await homeReception(page);
    await plugins(page);
    await readers(page);
    await channels(page);
    await logs(page);
    await audit(page);
    await english(page, tables);
    await certificates(page);
    const backupFile = await backupAndRestore(page, authenticator);
    await closeBrowser(session);
    session = await openBrowser(browser, 'administrator browser after the wipe', ADMIN_BROWSER);
    await wipeAndRestore(session.page, authenticator, backupFile);
    const cookies = await closeBrowser(session);
    session = await openBrowser(browser, 'administrator browser with a short window', { ...ADMIN_BROWSER, storageState: cookies });
    await rollBack(session.page, authenticator);
    await throttle(browser, tables);
    await step('nothing stored but the language; no console errors but the expected 4xx answers', async () => {
      const stored = await session.page.evaluate(() => ({ session: Object.keys(sessionStorage), local: Object.keys(localStorage) }));
      check(!stored.session.length && stored.local.every((k) => k === 'kakehashi.lang'), `storage holds ${JSON.stringify(stored)}`);
      checkConsole(session.seen, EXPECTED_CONSOLE);
    });
  });
}

runScript('web admin pages', async () => {
  config = readConfig();
  await withChromium(config, run);
  check(!failures.length, `${failures.length} independent step(s) failed:\n  ${failures.join('\n  ')}`);
});
