// The web admin's 本機のシステム設定 (web-admin/admin/system.js) in the browser, on a box without the root
// helper's folders (the test's gateway, like a package install): the page says that the OS makes these
// settings and offers none of them. The settings themselves, against the real helper, are
// tests/integration/test_system_setup.py.

import {
  check, checkNoMissingTexts, shotBoth,
} from '../browser_kit.mjs';
import {
  TEXTS, independentStep, openView, text, visible,
} from './fixture.mjs';

export async function system(fx) {
  const { page } = fx;
  await independentStep(page, '本機のシステム設定: a package install says that the OS makes these settings', async () => {
    await openView(page, 'system');
    await visible(page, '#system-unavailable');
    check((await text(page, '#system-unavailable')).includes('OS の機能'), 'the page does not say that the OS makes these settings');
    check(await page.locator('#system-content').isHidden(), 'the settings are offered on a package install');
    check(await page.locator('#system-explain').isHidden(), 'the page explains settings it does not offer');
    await checkNoMissingTexts(page, TEXTS);
    await shotBoth(page, '18-system-package');
  });
}
