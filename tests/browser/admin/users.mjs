// The web admin's users (web-admin/admin/users.js) in the browser: a weak initial password refused and an
// operator added; the operator locked out of its machine after five wrong passwords in a second browser
// (every refusal, even the right password's, reading the same), the lock and its machine seen and lifted
// by the administrator; the operator enrolling and seeing only an operator's menu, sent back to sign-in when
// the administrator disables them; then enabled, given another role and a second-factor reset.

import {
  Authenticator, check, checkConsole, checkNoMissingTexts, shot, shotBoth, step, TABLET,
} from '../browser_kit.mjs';
import {
  ADMIN, EXPECTED_CONSOLE, OPERATOR, TEXTS, answerOf, config, openBrowser, openView, qrShown, signIn, text, visible, waitForText,
} from './fixture.mjs';

export async function addOperator(fx) {
  const { page } = fx;
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

export async function lockout(fx) {
  const { browser, page, tables } = fx;
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
      check(JSON.stringify(views) === JSON.stringify(['dashboard', 'home-reception', 'readers', 'password']), `an operator's menu: ${views}`);
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
