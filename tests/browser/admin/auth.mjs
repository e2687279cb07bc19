// The web admin's sign-in side (web-admin/admin/auth.js) in the browser: the first-run wizard (a wrong setup
// code and a weak password refused with the appliance's messages, the first administrator, TOTP enrolment
// with the QR code, the ten recovery codes shown once, the facility with a wrong institution code refused,
// an API client for the receipt computer with its token shown once) — after which the run is signed in —;
// sign-out and sign-in with password and TOTP (a wrong code first); a wiped box (the Python side deletes its
// state and keys) brought back from backup.mjs's backup through the wizard with the new setup code, the old
// administrator signing in with the old password and TOTP; last, a machine that keeps failing to sign in
// answered 429 and told when to try again.

import {
  Authenticator, askPython, check, checkConsole, checkNoMissingTexts, shot, shotBoth, step,
} from '../browser_kit.mjs';
import {
  ADMIN, BACKUP_PASSPHRASE, EXPECTED_CONSOLE, FACILITY_NAME, FACILITY_RENAMED, INSTITUTION_CODE, TEXTS, TOKEN, WIZARD_CLIENT, answerOf,
  config, openBrowser, openView, qrShown, signIn, text, visible, waitForText,
} from './fixture.mjs';

// --- the first run --------------------------------------------------------------------------------------

export async function firstRun(fx) {
  const { page, tables } = fx;
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
    await waitForText(page, '#setup-error', '初期設定コードが違います');
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
    fx.tokens[WIZARD_CLIENT] = await text(page, '#wizard-client-token');
    check(TOKEN.test(fx.tokens[WIZARD_CLIENT]), 'no token shown');
    check((await text(page, '#wizard-client-token-name')) === WIZARD_CLIENT, 'the token box does not name the client');
    check((await text(page, '#wizard-client-token-box')).includes('二度と表示できません'), 'no warning that the token is shown once');
    await checkNoMissingTexts(page, TEXTS);
    await shotBoth(page, '05-wizard-client-token');
    await page.click('#wizard-client-token-done');
    await visible(page, '#view-dashboard');
    check(await page.locator('#wizard').isHidden(), 'the wizard stays after the last step');
    check(await page.locator('#wizard-client-token').evaluate((e) => e.textContent) === '', 'the token stays in the page');
    const entries = await page.locator('#nav li:not([hidden]) a').count();
    // Every entry but the HA pair's, which only a box in a pair shows.
    const all = await page.locator('#nav li a:not([data-view="pair"])').count();
    check(entries === all && all >= 15, `an administrator sees ${entries} of ${all} menu entries, expected every one`);
  });
  fx.authenticator = authenticator;  // signed in from here on
}

// --- sign-out and sign-in ------------------------------------------------------------------------------

export async function signOutAndIn(fx) {
  const { page, authenticator } = fx;
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

// --- a wiped box back from its backup through the first-run wizard -------------------------------------

export async function restoreWipedBox(fx) {
  await fx.reopen('administrator browser after the wipe');  // a new machine: the wiped box knows no session
  const { page, authenticator, backupFile } = fx;
  check(backupFile, 'no backup from backup.mjs');
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

// --- the per-machine throttle ---------------------------------------------------------------------------

// Last of all: it leaves this machine (every browser here is 127.0.0.1) a few seconds per sign-in try.
export async function throttle(fx) {
  const { browser, tables } = fx;
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
