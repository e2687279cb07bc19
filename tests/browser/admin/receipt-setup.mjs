// レセコンの接続設定 (web-admin/admin/receipt-setup.js) in the browser: the share with its account and
// folders, the API's base URL with the listener's port, the staff page's URL, and the print button; the
// gateway here speaks plain HTTP, so no certificate is offered for download.

import { check, checkNoMissingTexts, shotBoth } from '../browser_kit.mjs';
import { TEXTS, independentStep, openView, text, visible } from './fixture.mjs';

export async function receiptSetup(fx) {
  const { page } = fx;
  await independentStep(page, 'レセコンの接続設定: the share, its account, the API URL and the staff page', async () => {
    await openView(page, 'receipt-setup');
    await visible(page, '#receipt-file-facts dd');
    const facts = await text(page, '#receipt-file-facts');
    check(/\\\\[^\\]+\\kakehashi/.test(facts), `share "${facts}"`);
    check(facts.includes('recept'), 'the share account is not named');
    check(facts.includes('\\req') && facts.includes('\\res'), 'the request and result folders are not named');
    const http = await text(page, '#receipt-http-facts');
    const port = new URL(page.url()).port;
    check(/http:\/\/[^/]+:\d+\/api\/v1/.test(http), `API base URL "${http}"`);
    check(http.includes('HTTPS を使っていません'), 'plain HTTP is not said');
    check(await page.locator('#receipt-cert-download').isHidden(), 'a certificate is offered without HTTPS');
    check(port !== '', 'the admin page has no port');
    check(await page.locator('#receipt-print').isVisible(), 'no print button');
    await checkNoMissingTexts(page, TEXTS);
    await shotBoth(page, '16b-receipt-setup');
  });
}
