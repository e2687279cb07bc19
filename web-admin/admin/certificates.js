// The facility's certificates for the central system: the client certificate and the central CA with
// their expiry (warned at 60, 30 and 7 days); a PKCS#12 upload, or a key made on the box with a CSR to
// download and the signed certificate uploaded later; the central CA uploaded. A new certificate is used
// at once but must be confirmed within the appliance's window (90 s): the view counts down and shows
// whether anything has come back over the link with the new certificate yet; 確定 is offered only once it
// has (the appliance refuses it before), 元に戻す at any time; unconfirmed, the appliance goes back, and the
// view, reading the list again, says so.

import * as api from './api.js';
import { t, tOr } from '/i18n/texts.js';
import { $, busy, dateOf, download, el, expiryBadge, japanStamp, readFileBase64, readFileText, showProblem, showText } from './ui.js';

const BASE = '/admin/api/certificates';

export function createCertificates(ctx) {
  let data = null;
  let pending = null;     // {id, what, deadline, secondsLeft, proven, unproven} and `until` (this browser's clock)
  let ticker = null;
  let active = false;
  let decided = null;     // the id of the change this page confirmed or reverted
  let ended = null;       // i18n key: how a change this page watched ended without it

  function available() {
    return ctx.hasRoute('GET', BASE);
  }

  function render() {
    const on = available();
    $('certs-unavailable').hidden = on;
    for (const form of ['cert-p12-form', 'cert-signed-form', 'cert-ca-form']) {
      for (const c of $(form).elements) c.disabled = !on;
    }
    $('cert-csr').disabled = !on;
    const certs = (data && data.certificates) || [];
    $('certs-list').replaceChildren(...certs.map(card));
    $('certs-csr-pending').hidden = !(data && data.csrPending);
    showText($('certs-ended'), ended ? t(ended) : '');
    renderPending();
  }

  function fact(label, value, cls = '') {
    return [el('dt', { text: label }), el('dd', { cls, text: value })];
  }

  function card(c) {
    const facts = c.problem ? fact(t('admin.cert.problem'), c.problem) : [
      ...fact(t('admin.cert.subject'), c.subject),
      ...fact(t('admin.cert.issuer'), c.issuer),
      ...fact(t('admin.cert.validity'), t('admin.cert.range', { from: dateOf(c.notBefore), to: dateOf(c.notAfter) })),
      ...fact(t('admin.cert.fingerprint'), c.fingerprint || '', 'fingerprint'),
      ...fact(t('admin.cert.file'), c.file || '', 'file'),
    ];
    return el('article', { cls: 'cert', attrs: { 'data-name': c.name } },
      el('div', { cls: 'cert-head' },
        el('h3', { text: tOr(`admin.cert.name.${c.name}`, c.name) }),
        c.problem ? null : expiryBadge(c.daysLeft, c.warning)),
      el('dl', { cls: 'facts' }, ...facts));
  }

  function secondsLeft() {
    return pending ? Math.max(0, Math.ceil((pending.until - Date.now()) / 1000)) : 0;
  }

  function renderPending() {
    $('certs-pending').hidden = !pending;
    if (!pending) return;
    $('certs-pending-text').textContent = t('admin.certs.pendingText', { seconds: secondsLeft() });
    const link = $('certs-pending-link');
    link.textContent = pending.proven ? t('admin.certs.pendingProven') : pending.unproven;
    link.dataset.state = pending.proven ? 'ok' : 'bad';
    $('certs-confirm').disabled = !pending.proven;
    $('certs-confirm-why').hidden = pending.proven;
  }

  // Every second while a change waits: the countdown; every second second: what the appliance knows of the
  // link with the new certificate.
  // At the deadline: the list again, once a second, until the appliance has gone back (it checks once a
  // second itself).
  function tick(round = 0) {
    clearTimeout(ticker);
    if (!active || !pending) return;
    if (secondsLeft() === 0) {
      renderPending();
      ticker = setTimeout(load, 1000);
      return;
    }
    if (round % 2 === 1) {
      api.get(BASE).then((answer) => {
        const change = answer.pendingChange;
        if (!pending || !change || change.id !== pending.id) return;
        pending.proven = change.proven;
        pending.unproven = change.unproven;
        renderPending();
      }).catch(() => {});
    }
    renderPending();
    ticker = setTimeout(() => tick(round + 1), 1000);
  }

  // A change this page watched is gone without its 確定 or 元に戻す here: rolled back by the appliance
  // when its time was up, else decided in another browser.
  function noteEnded(change) {
    if (!pending || (change && change.id === pending.id) || pending.id === decided) return;
    ended = secondsLeft() === 0 ? 'admin.certs.rolledBack' : 'admin.certs.decidedElsewhere';
    showText($('certs-info'), '');  // "in use now" is no longer true
  }

  function use(answer) {
    data = answer;
    const change = answer.pendingChange;
    noteEnded(change);
    pending = change ? { ...change, until: Date.now() + change.secondsLeft * 1000 } : null;
    render();
    tick();
  }

  async function decide(verb, button) {
    if (!pending) return;
    showProblem($('certs-error'), null);
    showText($('certs-info'), '');
    button.disabled = true;
    decided = pending.id;
    let done = '';
    try {
      await api.post(`/admin/api/pending-changes/${api.segment(pending.id)}/${verb}`);
      done = verb === 'confirm' ? t('admin.certs.confirmed') : t('admin.certs.reverted');
    } catch (error) {
      showProblem($('certs-error'), error);
    } finally {
      button.disabled = false;
    }
    await load();
    if (done) showText($('certs-info'), done);  // only once the list shows the outcome
  }

  async function load() {
    if (!available()) {
      render();
      return;
    }
    try {
      use(await api.get(BASE));
      showProblem($('certs-error'), null);
    } catch (error) {
      showProblem($('certs-error'), error);
      render();
    }
  }

  // An upload answers with the list as it now stands (its pending change included); a CSR with the CSR.
  async function send(form, work, doneText) {
    showProblem($('certs-error'), null);
    showText($('certs-info'), '');
    ended = null;
    showText($('certs-ended'), '');
    let answer;
    try {
      answer = await busy(form, work);
    } catch (error) {
      showProblem($('certs-error'), error);
      return;
    }
    if (form.reset) form.reset();
    showText($('certs-info'), doneText());
    if (answer && answer.certificates) use(answer);
    else await load();
  }

  function chosen(input) {
    return input.files && input.files[0];
  }

  $('cert-p12-form').addEventListener('submit', (e) => {
    e.preventDefault();
    const file = chosen($('cert-p12-file'));
    if (!file) return;
    send(e.currentTarget, async () => api.post(`${BASE}/upstream-client/pkcs12`,
      { pkcs12: await readFileBase64(file), passphrase: $('cert-p12-passphrase').value }), () => t('admin.certs.installed'));
  });

  $('certs-confirm').addEventListener('click', (e) => decide('confirm', e.currentTarget));
  $('certs-revert').addEventListener('click', (e) => decide('revert', e.currentTarget));

  $('cert-csr').addEventListener('click', () => {
    const button = $('cert-csr');
    send(button.parentElement, async () => {
      const { csrPem } = await api.post(`${BASE}/upstream-client/csr`, { algorithm: 'ec' });
      download(new Blob([csrPem], { type: 'application/pkcs10' }), `kakehashi-${japanStamp()}.csr`);
    }, () => t('admin.certs.csrMade'));
  });

  $('cert-signed-form').addEventListener('submit', (e) => {
    e.preventDefault();
    const file = chosen($('cert-signed-file'));
    if (!file) return;
    send(e.currentTarget, async () => api.post(`${BASE}/upstream-client/certificate`, { pem: await readFileText(file) }),
      () => t('admin.certs.installed'));
  });

  $('cert-ca-form').addEventListener('submit', (e) => {
    e.preventDefault();
    const file = chosen($('cert-ca-file'));
    if (!file) return;
    send(e.currentTarget, async () => api.post(`${BASE}/central-ca`, { pem: await readFileText(file) }), () => t('admin.certs.caInstalled'));
  });

  return {
    enter() {
      active = true;
      pending = null;  // what ended while the view was away is not news
      showText($('certs-info'), '');
      ended = null;
      load();
    },
    leave() {
      active = false;
      clearTimeout(ticker);
    },
    render,
  };
}
