// 「レセコンの接続設定」: what to type on a receipt computer, per channel — the shared folder and its
// account, the HTTP API's base URL and how to get a token, the staff page's URL, and the certificate to
// trust for HTTPS (downloadable here). Made from what the box runs with, and printable as a sheet for the
// vendor's engineer.

import * as api from './api.js';
import { t } from '/i18n/texts.js';
import { $, download, el, fileNameOf, showProblem } from './ui.js';

const BASE = '/admin/api/receipt-setup';

export function createReceiptSetup(ctx) {
  let data = null;

  function row(label, value, cls = 'path') {
    return [el('dt', { text: label }), el('dd', { cls, text: value })];
  }

  function render() {
    $('receipt-unavailable').hidden = ctx.hasRoute('GET', BASE);
    if (!data) return;
    const file = data.fileChannel;
    const http = data.httpApi;
    const accounts = file.accounts.map((a) => a.name).join('、') || t('admin.receipt.noAccount');
    $('receipt-hosts').textContent = data.hosts.map((h) => h.address).join('、') || t('admin.receipt.noAddress');
    $('receipt-file').hidden = !file.enabled;
    $('receipt-file-off').hidden = file.enabled;
    $('receipt-file-facts').replaceChildren(
      ...row(t('admin.receipt.share'), file.share),
      ...row(t('admin.receipt.account'), accounts, ''),
      ...row(t('admin.receipt.requestFolder'), `${file.share}\\req`),
      ...row(t('admin.receipt.resultFolder'), `${file.share}\\res`),
      ...(file.faceFolders.length ? row(t('admin.receipt.faceFolders'), file.faceFolders.map((f) => `${file.share}\\${f.path}`).join('\n')) : []),
      ...row(t('admin.receipt.encoding'), t(`admin.receipt.encoding.${file.resultEncoding}`), ''));
    $('receipt-http-facts').replaceChildren(
      ...row(t('admin.receipt.baseUrl'), http.baseUrl),
      ...row(t('admin.receipt.port'), http.port),
      ...row(t('admin.receipt.openApi'), http.openApiUrl),
      ...row(t('admin.receipt.certificate'), http.certificate.available
        ? t(http.certificate.selfSigned ? 'admin.receipt.selfSigned' : 'admin.receipt.caSigned', { subject: http.certificate.subject })
        : t('admin.receipt.noTls'), ''),
      ...(http.certificate.available ? row(t('admin.receipt.fingerprint'), http.certificate.fingerprint, 'fingerprint') : []));
    $('receipt-cert-download').hidden = !http.certificate.available;
    $('receipt-staff').hidden = !data.staffPage.enabled;
    $('receipt-staff-url').textContent = data.staffPage.url;
  }

  async function load() {
    if (!ctx.hasRoute('GET', BASE)) return render();
    try {
      data = await api.get(BASE);
      showProblem($('receipt-error'), null);
    } catch (error) {
      showProblem($('receipt-error'), error);
    }
    render();
  }

  async function downloadCertificate() {
    try {
      const res = await api.call('GET', `${BASE}/lan-certificate.pem`, undefined, { raw: true });
      download(await res.blob(), fileNameOf(res, 'kakehashi-lan.crt'));
    } catch (error) {
      showProblem($('receipt-error'), error);
    }
  }

  $('receipt-print').addEventListener('click', () => window.print());
  $('receipt-cert-download').addEventListener('click', downloadCertificate);

  return {
    enter: load,
    leave() {},
    render,
  };
}
