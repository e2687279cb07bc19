// The web admin's certificates (web-admin/admin/certificates.js) in the browser: the client certificate
// and the central CA with expiry and fingerprints; a PKCS#12 with a wrong and then the right passphrase, on
// trial with its countdown and kept; a CSR made on the box, signed by the facility CA (the Python side),
// uploaded, then put back; the central CA uploaded and kept; last, with the confirmation window cut to
// 5 s, a certificate left unconfirmed rolls back by itself and the page says so.

import fs from 'node:fs';
import path from 'node:path';
import {
  askPython, check, shotBoth, step,
} from '../browser_kit.mjs';
import {
  config, openView, signInIfAsked, text, visible, waitForText,
} from './fixture.mjs';

const fingerprintOf = (page, name) => text(page, `#certs-list article[data-name="${name}"] .fingerprint`);

async function pendingSeconds(page) {
  const m = /(\d+)/.exec(await text(page, '#certs-pending-text'));
  return m ? Number(m[1]) : -1;
}

export async function certificates(fx) {
  const { page } = fx;
  await step('certificates: the client certificate and the central CA with expiry and fingerprints', async () => {
    await openView(page, 'certificates');
    check(await page.locator('#certs-unavailable').isHidden(), 'the certificates view says the API is missing');
    await visible(page, '#certs-list article[data-name="upstream-client"]');
    await visible(page, '#certs-list article[data-name="central-ca"]');
    const fingerprint = await fingerprintOf(page, 'upstream-client');
    check(/^([0-9A-F]{2}:){31}[0-9A-F]{2}$/.test(fingerprint), `fingerprint "${fingerprint}"`);
  });

  await step('a PKCS#12 with a wrong passphrase is refused; with the right one it is used on trial, then kept', async () => {
    const before = await fingerprintOf(page, 'upstream-client');
    await page.setInputFiles('#cert-p12-file', config.p12);
    await page.fill('#cert-p12-passphrase', 'not-the-passphrase');
    await page.click('#cert-p12-form button[type="submit"]');
    await waitForText(page, '#certs-error', 'パスフレーズが違います');
    check(await page.locator('#certs-pending').isHidden(), 'a refused upload shows a change on trial');
    await page.fill('#cert-p12-passphrase', config.p12Passphrase);
    await page.click('#cert-p12-form button[type="submit"]');
    await visible(page, '#certs-pending');
    await waitForText(page, '#certs-info', '使用を開始しました');
    check((await fingerprintOf(page, 'upstream-client')) !== before, 'the new certificate is not listed');
    check(await page.locator('#certs-list article[data-name="upstream-client"] .expiry-60').count() === 1,
      'a certificate with 45 days left is not marked with the 60-day warning');
    const first = await pendingSeconds(page);
    await page.waitForTimeout(2100);
    const later = await pendingSeconds(page);
    check(first > 0 && later < first, `the confirmation window does not count down: ${first} → ${later}`);
    // 確定 only once the new certificate worked over the link (the probe after the change).
    await waitForText(page, '#certs-pending-link', '通信に成功しました');
    await page.locator('#certs-confirm:not([disabled])').waitFor();
    check(await page.locator('#certs-confirm-why').isHidden(), 'the reason 確定 is off still shows');
    await shotBoth(page, '24-certificates-on-trial');
    await page.click('#certs-confirm');
    await waitForText(page, '#certs-info', '確定しました');
    check(await page.locator('#certs-pending').isHidden(), 'the change stays on trial after 確定する');
  });

  await step('a CSR made on the box, signed by the facility CA, uploaded, then put back with 元に戻す', async () => {
    const before = await fingerprintOf(page, 'upstream-client');
    const [download] = await Promise.all([page.waitForEvent('download'), page.click('#cert-csr')]);
    await download.saveAs(path.join(config.markers, 'request.csr'));
    const csr = fs.readFileSync(path.join(config.markers, 'request.csr'), 'utf8');
    check(csr.startsWith('-----BEGIN CERTIFICATE REQUEST-----'), 'the download is not a CSR');
    check(/\.csr$/.test(download.suggestedFilename()), `CSR file name ${download.suggestedFilename()}`);
    await visible(page, '#certs-csr-pending');
    const { pem } = await askPython('sign-csr');
    await page.setInputFiles('#cert-signed-file', pem);
    await page.click('#cert-signed-form button[type="submit"]');
    await visible(page, '#certs-pending');
    check((await fingerprintOf(page, 'upstream-client')) !== before, 'the signed certificate is not listed');
    check(await page.locator('#certs-csr-pending').isHidden(), 'the CSR still shows as pending');
    await page.click('#certs-revert');
    await waitForText(page, '#certs-info', '元の証明書に戻しました');
    check((await fingerprintOf(page, 'upstream-client')) === before, 'the previous certificate is not back');
  });

  await step('the central CA uploaded (the same CA) and kept', async () => {
    await page.setInputFiles('#cert-ca-file', config.centralCa);
    await page.click('#cert-ca-form button[type="submit"]');
    await visible(page, '#certs-pending');
    await page.locator('#certs-confirm:not([disabled])').waitFor();
    await page.click('#certs-confirm');
    await waitForText(page, '#certs-info', '確定しました');
    await shotBoth(page, '25-certificates');
  });
}

// --- a certificate change nobody confirms ----------------------------------------------------------------

// The gateway is started again by the Python side: the browser closes first and comes back with its cookies.
export async function rollBack(fx) {
  await fx.reopen('administrator browser with a short window', { keepCookies: true });
  const { page, authenticator } = fx;
  await step('a certificate left unconfirmed rolls back by itself after the (5 s) window; the page says so', async () => {
    const { confirmSeconds } = await askPython('short-window', 60000);
    await page.goto(`${config.url}/admin#certificates`);
    await signInIfAsked(page, authenticator);
    await openView(page, 'certificates');
    await visible(page, '#certs-list article[data-name="upstream-client"]');
    const before = await fingerprintOf(page, 'upstream-client');
    await page.setInputFiles('#cert-p12-file', config.p12Rollback);
    await page.fill('#cert-p12-passphrase', config.p12Passphrase);
    await page.click('#cert-p12-form button[type="submit"]');
    await visible(page, '#certs-pending');
    const seconds = await pendingSeconds(page);
    check(seconds > 0 && seconds <= confirmSeconds, `${seconds} s to confirm, expected at most ${confirmSeconds}`);
    check((await fingerprintOf(page, 'upstream-client')) !== before, 'the certificate on trial is not listed');
    await waitForText(page, '#certs-ended', '元の証明書に戻しました', (confirmSeconds + 10) * 1000);
    check(await page.locator('#certs-pending').isHidden(), 'the change still shows as on trial');
    check((await fingerprintOf(page, 'upstream-client')) === before, 'the previous certificate is not listed again');
    await shotBoth(page, '29-certificates-rolled-back');
  });
}
