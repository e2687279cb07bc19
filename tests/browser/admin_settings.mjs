// What IT staff set in the web admin instead of the configuration file, in a real browser (playwright-core
// driving Debian's Chromium) against a freshly started appliance whose first administrator the Python side
// made through the API:
//
// plugins listed with their manifest's name and description, an unsigned one in development mode marked
// 署名なし（開発モード）, two enabled and one moved up — the Python side drops a file on their shared folder and
// says which plugin answered; the channels page naming no configuration file, the result encoding changed
// there with 再起動後に反映 / 再起動を待っています and the banner 「再起動を待っている変更があります」 on every view;
// 本機を再起動 from the banner: the dialog cancelled, then confirmed, the Python side restarting the box as
// systemd would, the page reloading by itself with the banner gone; a user's password reset to a one-time
// password shown once (the Python side signs in with it) and a weak typed one refused in Japanese only;
// one's own password changed (a mismatch, a wrong current password and a weak new one refused first), back
// at the sign-in, and signed in with the new one. No text missing, no console errors but the expected ones.
//
// The Python side (tests/integration/test_admin_settings_pages.py) answers through MARKER_DIR: "plugin-answer"
// (drop a file on the shared vendor folder; the answer names the plugin that answered), "restart" (wait for
// the gateway to exit for its restart and start it again; the answer is the exit code) and "sign-in"
// ({username, password}: the answer is the status of the sign-in).
//
// Environment: KAKEHASHI_ADMIN_URL, ADMIN_USERNAME, ADMIN_PASSWORD, TOTP_SECRET, TOTP_LAST_STEP (the time step
// the enrolment used), SCREENSHOT_DIR, MARKER_DIR, optional CHROMIUM.

import {
  Authenticator, askPython, check, checkConsole, checkNoMissingTexts, env, onSession, openPage, runScript, shotBoth,
  step, withChromium,
} from './browser_kit.mjs';

const OPERATOR = { username: 'reception', display: '受付 次郎', password: 'Uketsuke-Mado-2026?' };
const NEW_PASSWORD = 'Atarashii-Kagi-2026#';
const ENGLISH_TAIL = /\((?:[a-z]+ )+[a-z]+\)|（[a-z ]+）/;  // "(too common)", "（at least 12 characters）"
// Chromium reports every 4xx answer of fetch as a console error; these are the ones the steps provoke.
// While the appliance restarts, the page's polls find nobody listening.
const EXPECTED_CONSOLE = new RegExp('^Failed to load resource: (the server responded with a status of (401|422) '
  + '|net::ERR_(CONNECTION_REFUSED|CONNECTION_RESET|CONNECTION_CLOSED|EMPTY_RESPONSE))');
const TEXTS = { keyPrefix: 'admin' };

const config = {
  url: env('KAKEHASHI_ADMIN_URL').replace(/\/$/, ''),
  username: env('ADMIN_USERNAME'),
  password: env('ADMIN_PASSWORD'),
  shots: env('SCREENSHOT_DIR'),
  markers: env('MARKER_DIR'),
  chromium: env('CHROMIUM', '/usr/bin/chromium'),
};
const authenticator = new Authenticator(env('TOTP_SECRET'), Number(env('TOTP_LAST_STEP')));

const text = async (page, selector) => (await page.locator(selector).innerText()).trim();

async function visible(page, selector, timeout = 15000) {
  await page.locator(selector).first().waitFor({ state: 'visible', timeout });
}

async function hidden(page, selector, timeout = 15000) {
  await page.locator(selector).first().waitFor({ state: 'hidden', timeout });
}

async function waitForText(page, selector, expected, timeout = 15000) {
  await page.locator(selector).filter({ hasText: expected }).first().waitFor({ state: 'visible', timeout });
}

async function openView(page, view) {
  await page.click(`#nav a[data-view="${view}"]`);
  await visible(page, `#view-${view}`);
}

async function signIn(page, password) {
  await visible(page, '#view-login');
  await page.fill('#login-username', config.username);
  await page.fill('#login-password', password);
  await page.click('#login-form button[type="submit"]');
  await visible(page, '#view-second');
  await page.fill('#second-code', await authenticator.next());
  await page.click('#second-form button[type="submit"]');
  await visible(page, '#view-dashboard');
}

async function pluginsPage(page) {
  await step('plugins: names and descriptions from the manifests; the unsigned one marked 署名なし（開発モード）', async () => {
    await openView(page, 'plugins');
    const dev = '#plugins-rows tr[data-plugin="dev-echo"]';
    await visible(page, `${dev}[data-state="enabled"]`);
    check((await text(page, `${dev} td .badge`)) === '署名なし（開発モード）', `the unsigned plugin reads "${await text(page, `${dev} td .badge`)}"`);
    const first = '#plugins-rows tr[data-plugin="first-echo"]';
    check((await text(page, `${first} .plugin-name`)) === '先のアダプター', `name "${await text(page, `${first} .plugin-name`)}"`);
    check((await text(page, `${first} .plugin-description`)).includes('順番の確認用'), 'no description');
    check((await text(page, `${first} td .badge`)) === '無効', 'a plugin out of the order is not shown disabled');
    check((await page.locator(`${first} .problem-line`).count()) === 0, 'a plugin out of the order shows a problem');
    await checkNoMissingTexts(page, TEXTS);
  });

  await step('plugins: two enabled (last in the order), one moved up; the Python side sees it answer first', async () => {
    for (const id of ['second-echo', 'first-echo']) {
      const row = `#plugins-rows tr[data-plugin="${id}"]`;
      await page.click(`${row} button[data-action="enable"]`);
      await visible(page, `${row}[data-state="enabled"]`);
      await waitForText(page, '#plugins-info', '有効にしました');
    }
    const positions = async () => page.locator('#plugins-rows tr').evaluateAll((trs) =>
      trs.map((tr) => [tr.dataset.plugin, tr.cells[0].textContent]).filter(([, at]) => /^\d+$/.test(at)));
    check(JSON.stringify(await positions()) === JSON.stringify([['dev-echo', '1'], ['second-echo', '2'], ['first-echo', '3']]),
      `positions ${JSON.stringify(await positions())}`);
    check(await page.locator('#plugins-rows tr[data-plugin="dev-echo"] button[data-action="up"]').isDisabled(), 'the first can move up');
    await page.click('#plugins-rows tr[data-plugin="first-echo"] button[data-action="up"]');
    await waitForText(page, '#plugins-info', '順番を変えました');
    check(JSON.stringify(await positions()) === JSON.stringify([['dev-echo', '1'], ['first-echo', '2'], ['second-echo', '3']]),
      `positions after the move ${JSON.stringify(await positions())}`);
    const answer = await askPython('plugin-answer');
    check(answer.plugin === 'first-echo', `the shared folder was answered by ${answer.plugin}`);
    await shotBoth(page, '30-plugins-order');
  });
}

async function channelsPage(page) {
  await step('channels: no file to edit; the result encoding changed there waits for the restart, the banner says so', async () => {
    await openView(page, 'channels');
    const view = await text(page, '#view-channels');
    check(!view.includes('kakehashi.json') && !view.includes('設定ファイル'), 'the channels page still sends people to a file');
    await page.locator('#channels-file-encoding option').first().waitFor({ state: 'attached' });
    check(await page.inputValue('#channels-file-encoding') === 'request', `encoding "${await page.inputValue('#channels-file-encoding')}"`);
    check((await text(page, '#channels-file-encoding-applies')) === '再起動後に反映', 'the encoding does not say when it applies');
    check(await page.locator('#restart-banner').isHidden(), 'the banner shows before anything waits');
    await page.selectOption('#channels-file-encoding', 'utf-8');
    await page.click('#channels-file-form button[type="submit"]');
    await waitForText(page, '#channels-info', '再起動後に反映されます');
    await waitForText(page, '#channels-file-encoding-applies .restart-pending', '再起動を待っています');
    await waitForText(page, '#restart-banner', '再起動を待っている変更があります');
    await openView(page, 'settings');
    await visible(page, '#restart-banner');
    await waitForText(page, '#settings-rows tr[data-key="fileDrop.resultEncoding"] td.value', 'UTF-8');
    await waitForText(page, '#settings-rows tr[data-key="fileDrop.resultEncoding"] .restart-pending', '再起動を待っています');
    check((await text(page, '#settings-rows tr[data-key="fileDrop.resultEncoding"] td:nth-child(3)')).includes('再起動後に反映'),
      'the settings page words it differently');
    await checkNoMissingTexts(page, TEXTS);
    await shotBoth(page, '31-restart-banner');
  });

  await step('本機を再起動: cancelled in the dialog, then confirmed; the page reloads by itself, the banner gone', async () => {
    await page.click('#restart-banner button[data-restart]');
    await visible(page, '#restart-dialog');
    await shotBoth(page, '32-restart-dialog');
    await page.click('#restart-dialog-cancel');
    await hidden(page, '#restart-dialog');
    check(await page.locator('#restart-progress').isHidden(), 'a cancelled restart went ahead');
    await page.click('#restart-banner button[data-restart]');
    await visible(page, '#restart-dialog');
    const reloaded = page.waitForEvent('load', { timeout: 120000 });
    await page.click('#restart-dialog-confirm');
    await waitForText(page, '#restart-progress', '再起動しています');
    const restarted = await askPython('restart', 60000);
    check(restarted.exitCode === 75, `the gateway exited with ${restarted.exitCode}`);
    await reloaded;
    await visible(page, '#view-settings');
    await waitForText(page, '#settings-rows tr[data-key="fileDrop.resultEncoding"] td.value', 'UTF-8');
    check(await page.locator('#settings-rows tr[data-key="fileDrop.resultEncoding"] .restart-pending').count() === 0,
      'the encoding still waits after the restart');
    check(await page.locator('#restart-banner').isHidden(), 'the banner stays after the restart');
  });
}

async function usersPage(page) {
  await step('users: a password reset to a one-time password shown once; the Python side signs in with it', async () => {
    await openView(page, 'users');
    await page.fill('#user-add-username', OPERATOR.username);
    await page.fill('#user-add-display', OPERATOR.display);
    await page.selectOption('#user-add-role', 'operator');
    await page.fill('#user-add-password', OPERATOR.password);
    await page.click('#user-add-form button[type="submit"]');
    const row = `#users-rows tr[data-username="${OPERATOR.username}"]`;
    await visible(page, row);
    check(await page.locator(`#users-rows tr[data-username="${config.username}"] button[data-action="reset-password"]`).count() === 0,
      'an administrator is offered to reset their own password here');
    await page.click(`${row} button[data-action="reset-password"]`);
    await visible(page, '#user-reset');
    check((await text(page, '#user-reset-title')).includes(OPERATOR.display), 'the reset form does not name the user');
    check(await page.locator('#user-reset-password').isDisabled(), 'the typed password is asked for a one-time password');
    await page.click('#user-reset-form button[type="submit"]');
    await visible(page, '#user-once');
    const once = await text(page, '#user-once-password');
    check(/^[A-Za-z2-9]{4}(-[A-Za-z2-9]{4}){3}$/.test(once), `the one-time password "${once}"`);
    check((await text(page, '#user-once')).includes('一度しか表示しません'), 'no warning that it is shown once');
    await shotBoth(page, '33-one-time-password');
    const signedIn = await askPython('sign-in', 30000, { username: OPERATOR.username, password: once });
    check(signedIn.status === 200, `signing in with the one-time password answered ${signedIn.status}`);
    await page.click('#user-once-done');
    check(await page.locator('#user-once').isHidden() && (await page.locator('#user-once-password').evaluate((e) => e.textContent)) === '',
      'the one-time password stays in the page');
  });

  await step('users: a weak typed password is refused in Japanese only', async () => {
    const row = `#users-rows tr[data-username="${OPERATOR.username}"]`;
    await page.click(`${row} button[data-action="reset-password"]`);
    await page.check('#user-reset-typed');
    check(await page.locator('#user-reset-password').isEnabled(), 'the typed password cannot be typed');
    await page.fill('#user-reset-password', 'reception-1');
    await page.click('#user-reset-form button[type="submit"]');
    await waitForText(page, '#user-reset-error', '12文字以上で入力してください');
    const said = await text(page, '#user-reset-error');
    check(said.includes('利用者名を含めないでください') && !ENGLISH_TAIL.test(said), `the refusal reads "${said}"`);
    await page.click('#user-reset-cancel');
    check(await page.inputValue('#user-reset-password') === '', 'the typed password stays in the page');
  });
}

async function ownPassword(page) {
  await step('パスワードの変更: a mismatch, a wrong current password and a common new one refused, in Japanese', async () => {
    await openView(page, 'password');
    await page.fill('#password-current', config.password);
    await page.fill('#password-new', NEW_PASSWORD);
    await page.fill('#password-confirm', `${NEW_PASSWORD}x`);
    await page.click('#password-form button[type="submit"]');
    await waitForText(page, '#password-error', '確認のパスワードが新しいパスワードと違います');
    await page.fill('#password-current', 'Machigai-Password-1');
    await page.fill('#password-confirm', NEW_PASSWORD);
    await page.click('#password-form button[type="submit"]');
    await waitForText(page, '#password-error', '今のパスワードが違います');
    await page.fill('#password-current', config.password);
    await page.fill('#password-new', '111111111111');
    await page.fill('#password-confirm', '111111111111');
    await page.click('#password-form button[type="submit"]');
    await waitForText(page, '#password-error', '数字だけのパスワードは使えません');
    check(!ENGLISH_TAIL.test(await text(page, '#password-error')), `English in "${await text(page, '#password-error')}"`);
    await checkNoMissingTexts(page, TEXTS);
    await shotBoth(page, '34-own-password');
  });

  await step('パスワードの変更: changed, back at the sign-in; the old password refused, the new one signs in', async () => {
    await page.fill('#password-current', config.password);
    await page.fill('#password-new', NEW_PASSWORD);
    await page.fill('#password-confirm', NEW_PASSWORD);
    await page.click('#password-form button[type="submit"]');
    await visible(page, '#view-login');
    await waitForText(page, '#notice', 'パスワードを変更しました');
    check(await page.inputValue('#password-current') === '', 'a password stays in the page');
    const old = await askPython('sign-in', 30000, { username: config.username, password: config.password });
    check(old.status === 401, `the old password answered ${old.status}`);
    await signIn(page, NEW_PASSWORD);
  });
}

runScript('web admin settings pages', async () => {
  await withChromium(config, async (browser) => {
    const session = await openPage(browser, { ignoreHTTPSErrors: true });
    const { page, seen } = session;
    await onSession(session, async () => {
      await step('sign in with password and TOTP', async () => {
        await page.goto(`${config.url}/admin`);
        await signIn(page, config.password);
      });
      await pluginsPage(page);
      await channelsPage(page);
      await usersPage(page);
      await ownPassword(page);
      await step('no console errors but the expected ones', async () => checkConsole(seen, EXPECTED_CONSOLE));
    });
  });
});
