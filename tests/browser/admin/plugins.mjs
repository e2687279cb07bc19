// The web admin's plugins (web-admin/admin/plugins.js) in the browser: the built-in spec-xml adapter
// reloaded, disabled and enabled again, without a settings button. Their settings forms are
// plugin-settings.mjs's.

import {
  check, shotBoth,
} from '../browser_kit.mjs';
import {
  independentStep, openView, visible, waitForText,
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
}
