// How receipt computers reach the box (administrators only): the shared folder as it runs, with its
// settings changed here (kept in the appliance's store, applied after a restart: the same badges as on
// the settings page), the HTTP API's listener, the adapters' order as it runs (changed on the plugins
// page), and the HTTP API's clients with when each token expires: add one (its token shown once), give
// one a new token, revoke one.

import { cidrList, createTokenBox, issueApiClient, revokeApiClient } from './api-clients.js';
import * as api from './api.js';
import { t } from '/i18n/texts.js';
import { CHOICES, appliesBadges } from './settings.js';
import { $, busy, confirmingButton, dateOf, el, showProblem, showText } from './ui.js';

// The file channel's settings on this page: the select of each.
const FILE_SETTINGS = {
  'fileDrop.enabled': 'channels-file-enabled',
  'fileDrop.resultEncoding': 'channels-file-encoding',
  'fileDrop.faceExportBatches': 'channels-file-face',
};

export function createChannels(ctx) {
  let data = null;  // GET /admin/api/channels
  let settings = [];  // the file channel's entries of GET /admin/api/settings
  const tokenBox = createTokenBox('channels');

  function available() {
    return ctx.hasRoute('GET', '/admin/api/channels');
  }

  function clients() {
    return (data && data.apiClients) || [];
  }

  function state(id, on, onKey, offKey) {
    $(id).textContent = on === undefined ? '' : t(on ? onKey : offKey);
    $(id).dataset.state = on ? 'ok' : 'off';
  }

  function renderListeners() {
    const file = (data && data.fileDrop) || {};
    const http = (data && data.httpApi) || {};
    state('channels-file-state', data ? Boolean(file.enabled) : undefined, 'admin.channels.on', 'admin.channels.off');
    $('channels-file-root').textContent = file.root || '';
    $('channels-http-listen').textContent = http.listen || '';
    state('channels-http-tls', data ? Boolean(http.tls) : undefined, 'admin.channels.tlsOn', 'admin.channels.tlsOff');
    const order = (data && data.pluginOrder) || [];
    $('channels-plugin-order').replaceChildren(...order.map((p) => el('li', {}, el('code', { text: p.id }))));
    $('channels-plugin-order').hidden = order.length === 0;
    $('channels-plugin-order-none').hidden = !data || order.length > 0;
  }

  function renderFileSettings() {
    for (const [key, id] of Object.entries(FILE_SETTINGS)) {
      const s = settings.find((x) => x.key === key);
      const select = $(id);
      const chosen = select.value || (s ? s.value : '');  // what was chosen and not saved yet stays
      select.replaceChildren(...CHOICES[key].map(([value, text]) => el('option', { text: t(text), attrs: { value } })));
      select.value = chosen;
      select.disabled = !s;
      $(`${id}-applies`).replaceChildren(...(s ? appliesBadges(s) : []));
    }
  }

  function cidrCell(c) {
    const cidrs = (c.allowCidrs || []).map((a) => a.cidr);
    if (!cidrs.length) return el('td', {}, el('span', { cls: 'badge badge-warn', text: t('admin.clients.anyAddress') }));
    return el('td', {}, el('div', { cls: 'badges' }, ...cidrs.map((cidr) => el('code', { cls: 'badge badge-plain', text: cidr }))));
  }

  // The token's last day, "expired" past it, or "never" when it was issued without an expiry.
  function expiryCell(c) {
    if (!c.expiresAt) return el('td', {}, el('span', { cls: 'badge badge-plain', text: t('admin.clients.never') }));
    const date = el('span', { cls: 'nowrap', text: dateOf(c.expiresAt) });
    if (!c.expired) return el('td', {}, date);
    return el('td', {}, el('span', { cls: 'badge badge-warn', text: t('admin.clients.expired') }), ' ', date);
  }

  function actionsCell(c) {
    const cidrs = (c.allowCidrs || []).map((a) => a.cidr);
    const reissue = el('button', { cls: 'quiet small', text: t('admin.clients.reissue'), attrs: { type: 'button', 'data-action': 'reissue' } });
    const revoke = el('button', { cls: 'quiet small', text: t('admin.clients.revoke'), attrs: { type: 'button', 'data-action': 'revoke' } });
    confirmingButton(reissue, t('admin.common.pressAgain'), () => issue(c.name, cidrs, reissue, 'admin.clients.reissued'));
    confirmingButton(revoke, t('admin.common.pressAgain'), () => revokeClient(c.name, revoke));
    return el('td', { cls: 'actions' }, reissue, revoke);
  }

  function render() {
    const on = available();
    $('channels-unavailable').hidden = on;
    for (const c of $('client-add-form').elements) c.disabled = !on;
    $('channels-file-form').querySelector('button[type="submit"]').disabled = !on || !settings.length;
    $('channels-refresh').disabled = !on;
    renderListeners();
    renderFileSettings();
    $('clients-rows').replaceChildren(...clients().map((c) => el('tr', { attrs: { 'data-client': c.name } },
      el('th', { attrs: { scope: 'row' } }, el('code', { text: c.name })),
      cidrCell(c),
      expiryCell(c),
      actionsCell(c))));
    $('clients-empty').hidden = !data || clients().length > 0;
  }

  async function load() {
    if (!available()) {
      render();
      return;
    }
    try {
      data = await api.get('/admin/api/channels');
      showProblem($('channels-error'), null);
    } catch (error) {
      showProblem($('channels-error'), error);
    }
    await loadFileSettings();
  }

  async function loadFileSettings() {
    try {
      settings = (await api.get('/admin/api/settings')).settings.filter((s) => s.key in FILE_SETTINGS);
      showProblem($('channels-file-error'), null);
    } catch (error) {
      settings = [];
      showProblem($('channels-file-error'), error);
    }
    for (const id of Object.values(FILE_SETTINGS)) $(id).replaceChildren();  // show the stored values
    render();
  }

  // Each changed value is saved as on the settings page; they apply after the restart.
  async function saveFileSettings(e) {
    e.preventDefault();
    begin();
    const changed = settings.filter((s) => $(FILE_SETTINGS[s.key]).value !== s.value);
    if (!changed.length) {
      showText($('channels-info'), t('admin.channels.unchanged'));
      return;
    }
    try {
      await busy(e.currentTarget, async () => {
        for (const s of changed) await api.put(`/admin/api/settings/${api.segment(s.key)}`, { value: $(FILE_SETTINGS[s.key]).value });
      });
    } catch (error) {
      showProblem($('channels-file-error'), error);
      await loadFileSettings();
      return;
    }
    showText($('channels-info'), t('admin.channels.savedFileDrop'));
    ctx.settingsChanged();
    await loadFileSettings();
  }

  function begin() {
    showProblem($('channels-error'), null);
    showProblem($('channels-file-error'), null);
    showProblem($('client-add-error'), null);
    showText($('channels-info'), '');
  }

  // A new client, or a new token for one already there: the token goes into the box, once.
  async function issue(name, cidrs, control, doneKey, errorBox = $('channels-error')) {
    begin();
    tokenBox.clear();
    let issued;
    try {
      issued = await busy(control.form || control.parentElement, () => issueApiClient(name, cidrs));
    } catch (error) {
      showProblem(errorBox, error);
      return false;
    }
    showText($('channels-info'), t(doneKey, { name: issued.name }));
    await load();
    tokenBox.show(issued.name, issued.token);
    return true;
  }

  async function revokeClient(name, button) {
    begin();
    try {
      await busy(button.parentElement, () => revokeApiClient(name));
    } catch (error) {
      showProblem($('channels-error'), error);
      await load();
      return;
    }
    if (tokenBox.showing() === name) tokenBox.clear();
    showText($('channels-info'), t('admin.clients.revoked', { name }));
    await load();
  }

  async function add(e) {
    e.preventDefault();
    const form = e.currentTarget;
    const name = $('client-add-name').value.trim();
    if (clients().some((c) => c.name === name)) {
      // the appliance would give it a new token silently: that is the list's own, confirmed action
      begin();
      showText($('client-add-error'), t('admin.clients.exists', { name }));
      return;
    }
    const submit = form.querySelector('button[type="submit"]');
    if (await issue(name, cidrList($('client-add-cidrs').value), submit, 'admin.clients.added', $('client-add-error'))) form.reset();
  }

  $('client-add-form').addEventListener('submit', add);
  $('channels-file-form').addEventListener('submit', saveFileSettings);
  $('channels-refresh').addEventListener('click', () => {
    begin();
    load();
  });

  return {
    enter() {
      begin();
      load();
    },
    leave() {
      tokenBox.clear();  // the token is never shown again, not even by coming back
    },
    render,
  };
}
