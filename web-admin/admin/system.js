// 本機のシステム設定: what the appliance image has no shell for — the share's accounts for the receipt
// computers, the LAN address, the NTP servers, the LAN ranges allowed to connect, and a reboot. The gateway
// only leaves a request; the box's root helper applies it at once and answers (GET /admin/api/system:
// `answer` waiting / working / done / failed with the reason in Japanese, `current` as the helper last read
// the system). While an answer is outstanding this view asks again every 2 s. A box installed from the
// package (no helper) says that the OS does these.

import * as api from './api.js';
import { t } from '/i18n/texts.js';
import { $, busy, el, japanTime, showProblem, showText } from './ui.js';

const BASE = '/admin/api/system';
const PENDING = new Set(['waiting', 'working']);
const POLL_MILLIS = 2000;
const ACTIONS = {
  'smb-account-set': 'admin.system.action.smb-account-set',
  'smb-account-delete': 'admin.system.action.smb-account-delete',
  'smb-accounts-list': 'admin.system.action.smb-accounts-list',
  network: 'admin.system.action.network',
  ntp: 'admin.system.action.ntp',
  firewall: 'admin.system.action.firewall',
  reboot: 'admin.system.action.reboot',
};

// Several values in one field: separated by spaces, commas, 、 or new lines.
function values(text) {
  return String(text || '').split(/[\s,、，]+/).filter(Boolean);
}

export function createSystem() {
  let active = false;
  let timer = null;
  let data = { available: true };

  function current() {
    return data.current || {};
  }

  function schedule() {
    clearTimeout(timer);
    timer = null;
    if (active && data.answer && PENDING.has(data.answer.state)) timer = setTimeout(load, POLL_MILLIS);
  }

  async function load() {
    try {
      use(await api.get(BASE));
    } catch (error) {
      showProblem($('system-error'), error);
    }
  }

  function use(answer) {
    data = answer || {};
    render();
    schedule();
  }

  function render() {
    const available = data.available !== false;
    $('system-unavailable').hidden = available;
    $('system-explain').hidden = !available;
    $('system-content').hidden = !available;
    if (!available) return;
    renderAnswer();
    renderAccounts();
    renderNetwork();
    const c = current();
    $('system-ntp-current').textContent = (c.ntpServers || []).length ? c.ntpServers.join('、') : t('admin.system.ntpNone');
    $('system-ranges-current').textContent = (c.lanRanges || []).length ? c.lanRanges.join('、') : t('admin.system.rangesAll');
    $('system-browser').textContent = t('admin.system.browserAddress', { address: data.browserAddress || '—' });
    const pending = Boolean(data.answer && PENDING.has(data.answer.state));
    for (const form of document.querySelectorAll('#system-content form')) form.setAttribute('aria-busy', String(pending));
  }

  function renderAnswer() {
    const a = data.answer;
    const box = $('system-answer');
    box.hidden = !a;
    if (!a) return;
    box.dataset.state = a.state;
    const what = ACTIONS[a.action] ? t(ACTIONS[a.action]) : '';
    const key = { waiting: 'admin.system.stateWaiting', working: 'admin.system.stateWorking', done: 'admin.system.stateDone' }[a.state]
      || 'admin.system.stateFailed';
    $('system-answer-title').textContent = t(key, { what });
    $('system-answer-at').textContent = a.at ? japanTime(a.at) : '';
    $('system-answer-message').textContent = PENDING.has(a.state) ? '' : a.message || '';
    $('system-answer-message').hidden = PENDING.has(a.state) || !a.message;
    $('system-working').hidden = !PENDING.has(a.state);
  }

  function renderAccounts() {
    const accounts = current().smbAccounts || [];
    const list = $('system-accounts');
    list.replaceChildren(...accounts.map((name) => {
      const remove = el('button', { cls: 'small danger', text: t('admin.system.accountDelete'), attrs: { type: 'button' } });
      remove.addEventListener('click', () => askDelete(name));
      return el('tr', {}, el('td', { text: name }), el('td', {}, remove));
    }));
    $('system-accounts-empty').hidden = accounts.length > 0 || current().known === false;
    $('system-accounts-table').hidden = accounts.length === 0;
    $('system-accounts-unknown').hidden = current().known !== false;
  }

  function renderNetwork() {
    const n = current().network || {};
    let text = t('admin.system.lanUnknown');
    if (n.mode === 'dhcp') text = t('admin.system.lanDhcpNow');
    else if (n.mode === 'static') {
      text = t('admin.system.lanStaticNow', { address: `${n.address}/${n.prefix}`, gateway: n.gateway || '—',
        dns: (n.dns || []).join('、') || '—' });
    }
    $('system-lan-current').textContent = text;
    const fixed = $('system-lan-static').checked;
    $('system-lan-fields').hidden = !fixed;
    for (const id of ['system-lan-address', 'system-lan-prefix']) $(id).required = fixed;
  }

  // Sends a request; the view then follows the helper's answer.
  async function ask(form, method, path, body, done) {
    showText($('system-error'), '');
    showText($('system-info'), '');
    await busy(form, async () => {
      try {
        use(await api.call(method, BASE + path, body));
        if (done) done();
      } catch (error) {
        showProblem($('system-error'), error);
      }
    });
  }

  function fillNetwork() {
    const n = current().network || {};
    $(n.mode === 'static' ? 'system-lan-static' : 'system-lan-dhcp').checked = true;
    $('system-lan-address').value = n.address || '';
    $('system-lan-prefix').value = n.prefix || '24';
    $('system-lan-gateway').value = n.gateway || '';
    $('system-lan-dns').value = (n.dns || []).join(', ');
    $('system-ntp-servers').value = (current().ntpServers || []).join('\n');
    $('system-ranges').value = (current().lanRanges || []).join('\n');
    renderNetwork();
  }

  function askDelete(name) {
    $('system-delete-name').textContent = t('admin.system.deleteConfirmText', { name });
    $('system-delete-confirm').dataset.name = name;
    $('system-delete-confirm').returnValue = '';
    $('system-delete-confirm').showModal();
  }

  $('system-account-form').addEventListener('submit', (e) => {
    e.preventDefault();
    const form = e.currentTarget;
    const name = $('system-account-name').value.trim();
    const password = $('system-account-password').value;
    if (password !== $('system-account-confirm').value) {
      showText($('system-error'), t('admin.system.passwordMismatch'));
      return;
    }
    ask(form, 'POST', '/smb-accounts', { name, password }, () => form.reset());
  });
  $('system-accounts-refresh').addEventListener('click', () => ask($('system-account-form'), 'POST', '/smb-accounts/refresh', {}));
  $('system-delete-confirm').addEventListener('close', () => {
    const dialog = $('system-delete-confirm');
    if (dialog.returnValue === 'delete') {
      ask($('system-account-form'), 'DELETE', `/smb-accounts/${api.segment(dialog.dataset.name)}`);
    }
  });
  for (const id of ['system-lan-dhcp', 'system-lan-static']) $(id).addEventListener('change', renderNetwork);
  $('system-lan-form').addEventListener('submit', (e) => {
    e.preventDefault();
    const body = $('system-lan-static').checked
      ? { mode: 'static', address: $('system-lan-address').value.trim(), prefix: $('system-lan-prefix').value.trim(),
          gateway: $('system-lan-gateway').value.trim(), dns: values($('system-lan-dns').value) }
      : { mode: 'dhcp' };
    ask(e.currentTarget, 'PUT', '/network', body);
  });
  $('system-ntp-form').addEventListener('submit', (e) => {
    e.preventDefault();
    ask(e.currentTarget, 'PUT', '/ntp', { servers: values($('system-ntp-servers').value) });
  });
  $('system-ranges-form').addEventListener('submit', (e) => {
    e.preventDefault();
    ask(e.currentTarget, 'PUT', '/firewall', { ranges: values($('system-ranges').value) });
  });
  $('system-reader-form').addEventListener('submit', (e) => {
    e.preventDefault();
    ask(e.currentTarget, 'POST', '/readers/attach',
      { host: $('system-reader-host').value.trim(), busId: $('system-reader-busid').value.trim() });
  });
  $('system-reader-detach').addEventListener('click', () => {
    const port = Number.parseInt($('system-reader-port').value.trim(), 10);
    ask($('system-reader-form'), 'POST', '/readers/detach', { port: Number.isNaN(port) ? -1 : port });
  });
  $('system-reboot').addEventListener('click', () => {
    $('system-reboot-confirm').returnValue = '';
    $('system-reboot-confirm').showModal();
  });
  $('system-reboot-confirm').addEventListener('close', () => {
    if ($('system-reboot-confirm').returnValue === 'reboot') ask($('system-reboot-form'), 'POST', '/reboot', {});
  });
  $('system-refresh').addEventListener('click', load);

  return {
    async enter() {
      active = true;
      showText($('system-error'), '');
      showText($('system-info'), '');
      await load();
      fillNetwork();
    },
    leave() {
      active = false;
      clearTimeout(timer);
      timer = null;
      for (const id of ['system-reboot-confirm', 'system-delete-confirm']) if ($(id).open) $(id).close();
    },
    render,
  };
}
