// The web admin's channels (web-admin/admin/channels.js, with api-clients.js) in the browser: the shared
// folder and the HTTP API's listener read only; an API client added, its token shown once and working on
// the LAN API (the Python side tries it), then revoked and refused there at once; the wizard's client given
// a new token — the old one refused, the new one accepted.

const CLIENT = 'rececon-2';

import {
  askPython, check, checkNoMissingTexts, shotBoth,
} from '../browser_kit.mjs';
import {
  TEXTS, TOKEN, WIZARD_CLIENT, answerOf, independentStep, openView, text, visible, waitForText,
} from './fixture.mjs';

export async function channels(fx) {
  const { page, tokens } = fx;
  let token = '';
  await independentStep(page, 'channels: the listeners shown, no file to edit; an API client added, its token shown once and working', async () => {
    await openView(page, 'channels');
    await waitForText(page, '#channels-file-state', '使用中');
    check((await text(page, '#channels-file-root')).endsWith('/share'), `share folder "${await text(page, '#channels-file-root')}"`);
    check(/^127\.0\.0\.1:\d+$/.test(await text(page, '#channels-http-listen')), `listener "${await text(page, '#channels-http-listen')}"`);
    check((await text(page, '#channels-http-tls')) === 'HTTP（暗号化なし）', `TLS "${await text(page, '#channels-http-tls')}"`);
    check(!(await text(page, '#view-channels')).includes('kakehashi.json'), 'the channels page sends people to the configuration file');
    check(await page.inputValue('#channels-file-encoding') === 'request', 'the result encoding is not shown');
    check((await text(page, '#channels-file-encoding-applies')).includes('再起動後に反映'), 'the result encoding does not say when it applies');
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
