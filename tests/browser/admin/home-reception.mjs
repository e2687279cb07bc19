// The web admin's home reception (web-admin/admin/home-reception.js) in the browser: the マイナ在宅受付Web URL
// set by hand, its QR code and the poster.

const HOME_URL = 'https://example.jp/zaitaku/kakehashi-clinic';

import {
  check, shotBoth,
} from '../browser_kit.mjs';
import {
  config, independentStep, openView, qrShown, text, waitForText,
} from './fixture.mjs';

export async function homeReception(fx) {
  const { page } = fx;
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
