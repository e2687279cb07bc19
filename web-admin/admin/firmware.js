// Firmware update of the appliance image: the running version and the A/B slots; a signed bundle (.raucb)
// uploaded with its progress, which the box's updater then checks (signature, compatible); the install into
// the slot that is not booted after a warning, followed through the reboot until the box answers again with
// the outcome (completed, or fell back to the previous slot by itself). The appliance does the work and
// keeps the state (GET /admin/api/firmware); this view only shows it and asks again while something runs.

import * as api from './api.js';
import { currentLanguage, has, t } from '/i18n/texts.js';
import { $, confirmingButton, el, japanTime, showProblem, showText } from './ui.js';

const BASE = '/admin/api/firmware';
const RUNNING = new Set(['waiting', 'checking', 'installing', 'rebooting']);
const CHECKED = new Set(['valid', 'installing', 'rebooting', 'install-failed', 'completed', 'fell-back']);
const POLL_MILLIS = 2000;
const AWAY_POLL_MILLIS = 3000;         // while the box reboots and does not answer
const AWAY_LIMIT_MILLIS = 15 * 60000;  // a reboot with a fallback takes a few minutes; then the page gives up
const MB = 1024 * 1024;

// The updater explains a refusal in English for the log; these are the refusals an administrator can act on.
const REASONS = [
  [/signature verification failed/i, 'admin.firmware.reason.signature'],
  [/the bundle is for /i, 'admin.firmware.reason.compatible'],
  [/SHA-256 differs/i, 'admin.firmware.reason.mismatch'],
];

function megabytes(bytes) {
  const mb = Number(bytes || 0) / MB;
  return mb.toLocaleString(currentLanguage() === 'ja' ? 'ja-JP' : 'en-US', { maximumFractionDigits: mb < 10 ? 2 : 1 });
}

function shortSha(sha) {
  return sha && sha.length > 16 ? `${sha.slice(0, 16)}…` : sha || '';
}

// The XHR (not fetch) because only it reports the upload's progress. The body is the file itself; the
// browser sets Content-Length from it.
function sendBundle(file, csrfToken, onProgress) {
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open('PUT', `${BASE}/bundle`);
    xhr.setRequestHeader('Accept', 'application/json, application/problem+json');
    xhr.setRequestHeader('Content-Type', 'application/octet-stream');
    if (csrfToken) xhr.setRequestHeader('X-CSRF-Token', csrfToken);
    xhr.upload.addEventListener('progress', (e) => {
      if (e.lengthComputable) onProgress(e.loaded, e.total);
    });
    xhr.addEventListener('load', () => {
      let body = null;
      try {
        body = JSON.parse(xhr.responseText);
      } catch {
        body = null;
      }
      if (xhr.status >= 200 && xhr.status < 300) resolve(body || {});
      else reject(new api.ApiError(xhr.status, body));
    });
    for (const ending of ['error', 'abort', 'timeout']) xhr.addEventListener(ending, () => reject(new api.ApiError(0, null)));
    xhr.send(file);
  });
}

export function createFirmware(ctx) {
  let data = null;        // the appliance's answer
  let active = false;     // the view is on screen
  let timer = null;
  let loadFailed = false; // the error box shows a failed load (cleared by the next good one)
  let uploading = null;   // {loaded, total} while the file goes up
  let away = null;        // when the box stopped answering during an install (it reboots)
  let gaveUp = false;     // no answer within AWAY_LIMIT_MILLIS
  let discardKey = '';    // which bundle (and language) the discard button was made for

  function available() {
    return ctx.hasRoute('GET', BASE);
  }

  function update() {
    return (data && data.update) || null;
  }

  // The check result belongs to the bundle it checked; an install's story stays the box's news after it.
  function shownUpdate() {
    const u = update();
    if (!u) return null;
    if (u.action === 'install') return u;
    return data.bundle && u.sha256 === data.bundle.sha256 ? u : null;
  }

  function installing() {
    const u = update();
    return Boolean(u && u.action === 'install' && ['waiting', 'checking', 'installing', 'rebooting'].includes(u.state));
  }

  function installable() {
    const u = update();
    const b = data && data.bundle;
    return Boolean(b && u && u.state === 'valid' && u.sha256 === b.sha256 && !uploading);
  }

  // --- render --------------------------------------------------------------------------------------------

  function render() {
    const on = available();
    $('firmware-unavailable').hidden = on;
    $('firmware-refresh').disabled = !on;
    $('firmware-content').hidden = !on || !data;
    if (!on || !data) return;
    // A package install has no bundle and no slots to speak of: only the explanation and the version.
    const image = data.available !== false;
    $('firmware-package').hidden = image;
    $('firmware-bundle-panel').hidden = !image;
    $('firmware-slots-part').hidden = !image;
    renderCurrent();
    renderState();
    renderUpload();
    renderBundle();
    renderSlots();
  }

  function renderCurrent() {
    const release = data.release || {};
    $('firmware-version').textContent = data.version || release.version || t('admin.firmware.unknown');
    $('firmware-built').textContent = release.built ? japanTime(release.built) : t('admin.firmware.unknown');
    $('firmware-booted').textContent = data.bootedSlot || t('admin.firmware.unknown');
  }

  function stateTitle(u) {
    const key = `admin.firmware.state.${u.state}`;
    return has(key) ? t(key, { version: u.version || '—', target: u.target || '—' }) : u.state;
  }

  function renderState() {
    const box = $('firmware-state');
    const u = shownUpdate();
    box.hidden = !u && !away && !gaveUp;
    if (box.hidden) return;
    const state = gaveUp ? 'no-answer' : away ? 'restarting' : u.state;
    box.dataset.state = state;
    let title = '';
    if (gaveUp) title = t('admin.firmware.noAnswer');
    else if (away) title = t('admin.firmware.restarting');
    else title = stateTitle(u);
    $('firmware-state-title').textContent = title;
    const action = $('firmware-state-action');
    if (away) {
      const seconds = Math.floor((Date.now() - away) / 1000);
      action.textContent = t('admin.firmware.restartingText', { minutes: Math.floor(seconds / 60), seconds: seconds % 60 });
    } else if (u) {
      action.textContent = t('admin.firmware.actionLine', {
        action: u.action === 'install' ? t('admin.firmware.actionInstall') : t('admin.firmware.actionCheck'),
        at: u.at ? japanTime(u.at) : '—',
      });
    } else {
      action.textContent = '';
    }
    $('firmware-working').hidden = gaveUp || !(away || (u && RUNNING.has(u.state)));
    const message = (u && !away && !gaveUp && u.message) || '';
    const reason = message && u.state === 'invalid' ? REASONS.find(([pattern]) => pattern.test(message)) : null;
    showText($('firmware-state-reason'), reason ? t(reason[1]) : '');
    $('firmware-state-message').textContent = message;
    $('firmware-state-detail').hidden = !message;
  }

  function renderUpload() {
    const form = $('firmware-form');
    const off = data.available === false || Boolean(uploading) || installing() || Boolean(away);
    for (const c of form.elements) c.disabled = off;
    form.setAttribute('aria-busy', String(Boolean(uploading)));
    $('firmware-max').textContent = t('admin.firmware.maxSize', { size: megabytes(data.maxBundleBytes) });
    renderProgress();
  }

  function renderProgress() {
    $('firmware-progress-box').hidden = !uploading;
    if (!uploading) return;
    const percent = uploading.total ? Math.floor((uploading.loaded * 100) / uploading.total) : 0;
    $('firmware-progress').value = percent;
    $('firmware-percent').textContent = percent >= 100
      ? t('admin.firmware.receiving')
      : t('admin.firmware.uploading', { percent, loaded: megabytes(uploading.loaded), total: megabytes(uploading.total) });
  }

  function fact(label, value, attrs = {}, cls = '') {
    return [el('dt', { text: label }), el('dd', { cls, text: value, attrs })];
  }

  // What the check said of this bundle's signature and compatible: [text key, state].
  function signature(u) {
    if (u && CHECKED.has(u.state)) return ['admin.firmware.signatureOk', 'ok'];
    if (u && u.state === 'invalid') return ['admin.firmware.signatureBad', 'bad'];
    if (u && u.state === 'interrupted') return ['admin.firmware.signatureUnknown', 'pending'];
    return ['admin.firmware.signaturePending', 'pending'];
  }

  function renderBundle() {
    const b = data.bundle;
    $('firmware-no-bundle').hidden = Boolean(b);
    $('firmware-bundle').hidden = !b;
    if (!b) {
      discardKey = '';
      $('firmware-discard-slot').replaceChildren();
      return;
    }
    const u = update() && update().sha256 === b.sha256 ? update() : null;
    const [checkKey, checkState] = signature(u);
    $('firmware-bundle-facts').replaceChildren(
      ...fact(t('admin.firmware.size'), t('admin.firmware.sizeText', { mb: megabytes(b.size), bytes: Number(b.size || 0).toLocaleString('en-US') }),
        { id: 'firmware-bundle-size' }),
      el('dt', { text: t('admin.firmware.sha256') }),
      el('dd', {}, el('code', { cls: 'fingerprint', text: shortSha(b.sha256), attrs: { id: 'firmware-bundle-sha', title: b.sha256 } })),
      ...fact(t('admin.firmware.uploadedAt'), b.uploadedAt ? japanTime(b.uploadedAt) : '—'),
      ...fact(t('admin.firmware.uploadedBy'), b.uploadedBy || '—'),
      ...fact(t('admin.firmware.signature'), t(checkKey), { id: 'firmware-bundle-check', 'data-state': checkState }, 'state-line'),
      ...(u && u.version ? fact(t('admin.firmware.bundleVersion'), u.version, { id: 'firmware-bundle-version' }) : []),
      ...(u && u.compatible ? fact(t('admin.firmware.compatible'), u.compatible, {}, 'path') : []),
    );
    $('firmware-install').disabled = !installable();
    // Made again only for another bundle or language, so a poll does not disarm a first press.
    const key = `${b.sha256} ${currentLanguage()}`;
    if (key !== discardKey) {
      discardKey = key;
      const button = el('button', { cls: 'quiet', text: t('admin.firmware.discard'), attrs: { type: 'button', id: 'firmware-discard' } });
      $('firmware-discard-slot').replaceChildren(confirmingButton(button, t('admin.common.pressAgain'), discard));
    }
    $('firmware-discard').disabled = installing() || Boolean(uploading);
  }

  function renderSlots() {
    const slots = data.slots || [];
    const booted = (s) => s.state === 'booted';
    const bootStatus = { good: ['badge-ok', 'admin.firmware.bootGood'], bad: ['badge-bad', 'admin.firmware.bootBad'] };
    $('firmware-slots').replaceChildren(...slots.map((s) => {
      const [cls, key] = bootStatus[s.bootStatus] || ['', 'admin.firmware.bootUnknown'];
      return el('tr', { attrs: { 'data-slot': s.bootname || s.name, 'data-state': s.state } },
        el('th', { attrs: { scope: 'row' }, text: s.bootname || '—' }),
        el('td', {}, el('code', { text: s.name || '' })),
        el('td', {}, el('span', { cls: `badge ${booted(s) ? 'badge-ok' : ''}`, text: booted(s) ? t('admin.firmware.slotBooted') : t('admin.firmware.slotInactive') })),
        el('td', {}, el('span', { cls: `badge ${cls}`, text: t(key) })),
        el('td', { text: s.version || '—' }),
        el('td', { cls: 'nowrap', text: s.installedAt ? japanTime(s.installedAt) : '—' }));
    }));
    $('firmware-slots-table').hidden = !slots.length;
    $('firmware-slots-empty').hidden = slots.length > 0;
  }

  // --- the appliance ---------------------------------------------------------------------------------------

  function use(answer) {
    data = answer;
    away = null;
    gaveUp = false;
    render();
    schedule();
  }

  function schedule() {
    clearTimeout(timer);
    timer = null;
    if (!active || gaveUp) return;
    if (away) timer = setTimeout(load, AWAY_POLL_MILLIS);
    else if (update() && RUNNING.has(update().state)) timer = setTimeout(load, POLL_MILLIS);
  }

  async function load() {
    clearTimeout(timer);
    if (!available()) {
      render();
      return;
    }
    try {
      const answer = await api.get(BASE);
      if (loadFailed) showProblem($('firmware-error'), null);
      loadFailed = false;
      use(answer);
    } catch (error) {
      // No answer during an install: the box is rebooting into the new slot. Ask again until it is back.
      if (error.status === 0 && (installing() || away)) {
        away = away || Date.now();
        gaveUp = Date.now() - away > AWAY_LIMIT_MILLIS;
      } else {
        showProblem($('firmware-error'), error);
        loadFailed = true;
      }
      render();
      schedule();
    }
  }

  function begin() {
    showProblem($('firmware-error'), null);
    showText($('firmware-info'), '');
    loadFailed = false;
  }

  async function upload(e) {
    e.preventDefault();
    const file = $('firmware-file').files[0];
    if (!file || !data) return;
    begin();
    if (data.maxBundleBytes && file.size > data.maxBundleBytes) {
      showText($('firmware-error'), t('admin.firmware.tooLarge', { size: megabytes(data.maxBundleBytes) }));
      return;
    }
    // A bundle starts with its squashfs image ("hsqs"). The appliance checks this too, but it stops reading a
    // refused upload after a little, and the browser then reports only a broken connection.
    const head = new Uint8Array(await file.slice(0, 4).arrayBuffer());
    if (String.fromCharCode(...head) !== 'hsqs') {
      showText($('firmware-error'), t('admin.firmware.notABundle'));
      return;
    }
    uploading = { loaded: 0, total: file.size };
    render();
    let answer;
    let sent = false;
    try {
      // The token for X-CSRF-Token, asked for now: a lost session shows before the upload, not after it.
      const { csrfToken } = await api.get('/admin/api/me');
      sent = true;
      answer = await sendBundle(file, csrfToken, (loaded, total) => {
        uploading = { loaded, total };
        renderProgress();
      });
    } catch (error) {
      uploading = null;
      render();
      if (error.status === 401) {
        // api.js sends the user to sign-in on a 401 of its own requests; the upload's needs one of those.
        if (sent) api.get('/admin/api/me').catch(() => {});
        return;
      }
      showProblem($('firmware-error'), error);
      await load();  // a refused upload has also removed the earlier bundle
      return;
    }
    uploading = null;
    $('firmware-form').reset();
    showText($('firmware-info'), t('admin.firmware.uploaded'));
    use(answer);
  }

  function askInstall() {
    if (!installable()) return;
    $('firmware-confirm-version').textContent = t('admin.firmware.confirmVersion', { from: data.version || '—', to: update().version || '—' });
    $('firmware-confirm').returnValue = '';
    $('firmware-confirm').showModal();
  }

  async function install() {
    if (!installable()) return;
    begin();
    $('firmware-install').disabled = true;
    try {
      use(await api.post(`${BASE}/install`, { sha256: data.bundle.sha256 }));
    } catch (error) {
      showProblem($('firmware-error'), error);
      await load();
    }
  }

  async function discard() {
    begin();
    try {
      use(await api.call('DELETE', `${BASE}/bundle`));
      showText($('firmware-info'), t('admin.firmware.discarded'));
    } catch (error) {
      showProblem($('firmware-error'), error);
      await load();
    }
  }

  $('firmware-form').addEventListener('submit', upload);
  $('firmware-install').addEventListener('click', askInstall);
  $('firmware-confirm').addEventListener('close', () => {
    if ($('firmware-confirm').returnValue === 'install') install();
  });
  $('firmware-refresh').addEventListener('click', () => {
    if (gaveUp) away = Date.now();  // another full wait for the box
    gaveUp = false;
    begin();
    load();
  });

  return {
    enter() {
      active = true;
      begin();
      load();
    },
    leave() {
      active = false;
      clearTimeout(timer);
      timer = null;
      if ($('firmware-confirm').open) $('firmware-confirm').close();
    },
    render,
  };
}
