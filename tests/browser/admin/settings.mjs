// The web admin's settings (web-admin/admin/settings.js) in the browser: facility.name (set in the wizard)
// changed and found in its history with who and when; upstream.baseUrl refused when not a URL, then
// changed: applies 再起動後に反映, marked 再起動を待っています, and the banner 「再起動を待っている変更があります」
// shows with the restart button (the restart itself, from a box of its own: admin_settings.mjs).

import {
  check, shotBoth, step,
} from '../browser_kit.mjs';
import {
  ADMIN, FACILITY_NAME, FACILITY_RENAMED, openView, text, visible, waitForText,
} from './fixture.mjs';

export async function settings(fx) {
  const { page } = fx;
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

  await step('settings: a change that waits for a restart shows 再起動を待っています and the banner', async () => {
    const row = '#settings-rows tr[data-key="upstream.baseUrl"]';
    await page.click(`${row} button[data-action="edit"]`);
    await page.fill('#settings-edit-value', 'not a url');
    await page.click('#settings-edit-form button[type="submit"]');
    await waitForText(page, '#settings-edit-error', 'https://ホスト名');
    await page.fill('#settings-edit-value', 'https://central.example.jp:8443');
    await page.click('#settings-edit-form button[type="submit"]');
    await waitForText(page, `${row} .restart-pending`, '再起動を待っています');
    check((await text(page, `${row} td:nth-child(3)`)).includes('再起動後に反映'), 'the setting does not say when it applies');
    await waitForText(page, '#settings-info', '再起動後に反映されます');
    await waitForText(page, '#restart-banner', '再起動を待っている変更があります');
    check(await page.locator('#restart-banner button[data-restart]').isEnabled(), 'the banner offers no restart');
    await page.click('#settings-rows tr[data-key="facility.name"] button[data-action="history"]');
    await visible(page, '#settings-history-rows tr');
    await shotBoth(page, '14-settings-history');
  });
}
