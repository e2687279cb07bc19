// The web admin's plugins (web-admin/admin/plugins.js) in the browser: the built-in spec-xml adapter
// reloaded, disabled and enabled again, without a settings button; json-webhook (unsigned, the box in
// development mode) listed by its manifest's name and marked 署名なし（開発モード）; fixed-width enabled, moved
// up before it and disabled again. Their settings forms are plugin-settings.mjs's; the order's effect on
// the files is admin_settings.mjs's.

import {
  check, shotBoth,
} from '../browser_kit.mjs';
import {
  independentStep, openView, text, visible, waitForText,
} from './fixture.mjs';

export async function plugins(fx) {
  const { page } = fx;
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

  await independentStep(page, 'plugins: names from the manifests, the unsigned one marked, one enabled, moved up and disabled', async () => {
    const webhook = '#plugins-rows tr[data-plugin="json-webhook"]';
    const fixed = '#plugins-rows tr[data-plugin="fixed-width"]';
    await visible(page, `${webhook}[data-state="enabled"]`);
    check((await text(page, `${webhook} .plugin-name`)).includes('JSON Webhook'), 'json-webhook is not listed by its name');
    check((await text(page, `${webhook} td .badge`)) === '署名なし（開発モード）', `json-webhook reads "${await text(page, `${webhook} td .badge`)}"`);
    await visible(page, `${fixed}[data-state="disabled"]`);
    await page.click(`${fixed} button[data-action="enable"]`);
    await visible(page, `${fixed}[data-state="enabled"]`);
    check((await text(page, `${fixed} td:first-child`)) === '2', 'an enabled plugin is not last in the order');
    await page.click(`${fixed} button[data-action="up"]`);
    await waitForText(page, '#plugins-info', '順番を変えました');
    check((await text(page, `${fixed} td:first-child`)) === '1', 'the plugin did not move up');
    await page.click(`${fixed} button[data-action="disable"]`);
    await visible(page, `${fixed}[data-state="disabled"]`);
    check((await text(page, `${webhook} td:first-child`)) === '1', 'json-webhook is not first again');
  });
}
