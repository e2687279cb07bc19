// Settings kept in the appliance's store: each with its value, where it comes from (the configuration
// file or this admin), whether it applies at once or after a restart (すぐに反映 / 再起動後に反映, and
// 再起動を待っています while a change waits for one), who changed it last; one at a time edited, and the
// history of each. The badges and value texts are shared with the channels page.

import * as api from './api.js';
import { t, tOr } from '/i18n/texts.js';
import { $, busy, el, formatTime, showProblem, showText } from './ui.js';
import { createTerminalShare } from './terminal-share.js';

// Settings chosen from a list: their values and the text key of each.
const ON_OFF = [['true', 'admin.settings.on'], ['false', 'admin.settings.off']];
export const CHOICES = {
  'cardReaders.enabled': ON_OFF,
  'fileDrop.enabled': ON_OFF,
  'fileDrop.faceExportBatches': ON_OFF,
  'fileDrop.resultEncoding': [['request', 'admin.settings.encoding.request'], ['utf-8', 'admin.settings.encoding.utf-8'],
    ['shift_jis', 'admin.settings.encoding.shift_jis']],
};

function nameOf(key) {
  return tOr(`admin.setting.${key}`, key);
}

export function valueText(key, value) {
  if (key === 'plugins.order') return value === '' ? t('admin.channels.pluginOrderNone') : value.split(',').join('、');
  if (value === '') return t('admin.settings.unset');
  const choice = (CHOICES[key] || []).find(([v]) => v === value);
  return choice ? t(choice[1]) : value;
}

// The one wording of when a setting applies, and of a change still waiting: used on every page.
export function appliesBadges(s) {
  const applies = el('span', { cls: 'badge badge-plain', text: s.appliesAt === 'now' ? t('admin.settings.appliesNow') : t('admin.settings.appliesRestart') });
  if (!s.restartPending) return [applies];
  return [applies, el('span', { cls: 'badge badge-warn restart-pending', text: t('admin.settings.restartPending'),
    attrs: { title: t('admin.settings.restartPendingHint') } })];
}

export function createSettings(ctx) {
  const terminalShare = createTerminalShare();
  let list = [];
  let editing = null;     // the key in the edit form
  let historyOf = null;   // the key whose history is shown
  let history = [];

  function row(s) {
    const applies = el('td', {}, ...appliesBadges(s));
    const updated = el('td', {},
      el('span', { cls: 'source', text: s.source === 'admin' ? t('admin.settings.sourceAdmin') : t('admin.settings.sourceConfig') }));
    if (s.updatedAt) {
      updated.append(el('span', { cls: 'hint block nowrap', text: formatTime(s.updatedAt) }),
        el('span', { cls: 'hint block', text: t('admin.settings.updatedBy', { by: s.updatedBy || '' }) }));
    }
    const edit = el('button', { cls: 'quiet small', text: t('admin.settings.edit'), attrs: { type: 'button', 'data-action': 'edit' } });
    const past = el('button', { cls: 'quiet small', text: t('admin.settings.history'), attrs: { type: 'button', 'data-action': 'history' } });
    edit.addEventListener('click', () => openEdit(s.key));
    past.addEventListener('click', () => openHistory(s.key));
    return el('tr', { attrs: { 'data-key': s.key } },
      el('th', { attrs: { scope: 'row' } }, el('span', { cls: 'setting-name', text: nameOf(s.key) }), el('code', { cls: 'key', text: s.key })),
      el('td', { cls: `wrap value${s.value === '' ? ' unset' : ''}`, text: valueText(s.key, s.value) }),
      applies,
      updated,
      el('td', { cls: 'actions' }, edit, past));
  }

  function renderHistory() {
    if (!historyOf) return;
    $('settings-history-title').textContent = t('admin.settings.historyTitle', { name: nameOf(historyOf) });
    $('settings-history-rows').replaceChildren(...history.map((h) => el('tr', {},
      el('td', { cls: 'wrap', text: valueText(historyOf, h.value) }),
      el('td', { text: formatTime(h.at) }),
      el('td', { text: h.by }))));
    $('settings-history-empty').hidden = history.length > 0;
  }

  function render() {
    $('settings-rows').replaceChildren(...list.map(row));
    if (editing) {
      const s = list.find((x) => x.key === editing);
      $('settings-edit-title').textContent = t('admin.settings.editTitle', { name: nameOf(editing) });
      const note = s && s.appliesAt === 'now' ? t('admin.settings.noteNow') : t('admin.settings.noteRestart');
      $('settings-edit-note').textContent = editing === 'plugins.order' ? `${note} ${t('admin.settings.orderHint')}` : note;
      for (const option of $('settings-edit-choice').options) option.textContent = t(option.dataset.text);
    }
    renderHistory();
  }

  async function load() {
    try {
      ({ settings: list } = await api.get('/admin/api/settings'));
      showProblem($('settings-error'), null);
    } catch (error) {
      showProblem($('settings-error'), error);
    }
    render();
  }

  function openEdit(key) {
    const s = list.find((x) => x.key === key);
    if (!s) return;
    editing = key;
    showProblem($('settings-edit-error'), null);
    const choices = CHOICES[key];
    $('settings-edit-value').hidden = Boolean(choices);
    $('settings-edit-choice').hidden = !choices;
    $('settings-edit-label').htmlFor = choices ? 'settings-edit-choice' : 'settings-edit-value';
    $('settings-edit-value').value = s.value;
    $('settings-edit-choice').replaceChildren(...(choices || []).map(([value, text]) =>
      el('option', { text: t(text), attrs: { value, 'data-text': text } })));
    if (choices) $('settings-edit-choice').value = s.value || choices[0][0];
    $('settings-edit').hidden = false;
    render();
    (choices ? $('settings-edit-choice') : $('settings-edit-value')).focus();
  }

  function closeEdit() {
    editing = null;
    $('settings-edit').hidden = true;
  }

  async function save(e) {
    e.preventDefault();
    if (!editing) return;
    const key = editing;
    const value = CHOICES[key] ? $('settings-edit-choice').value : $('settings-edit-value').value.trim();
    showProblem($('settings-edit-error'), null);
    let saved;
    try {
      saved = await busy(e.currentTarget, () => api.put(`/admin/api/settings/${api.segment(key)}`, { value }));
    } catch (error) {
      showProblem($('settings-edit-error'), error);
      return;
    }
    list = list.map((s) => (s.key === key ? saved : s));
    ctx.settingsChanged();
    closeEdit();
    showText($('settings-info'), saved.restartPending ? t('admin.settings.savedRestart', { name: nameOf(key) }) : t('admin.settings.saved', { name: nameOf(key) }));
    render();
    if (historyOf === key) await openHistory(key);
  }

  async function openHistory(key) {
    historyOf = key;
    history = [];
    $('settings-history').hidden = false;
    renderHistory();
    try {
      ({ history } = await api.get(`/admin/api/settings/${api.segment(key)}/history`));
    } catch (error) {
      showProblem($('settings-error'), error);
    }
    renderHistory();
  }

  $('settings-edit-form').addEventListener('submit', save);
  $('settings-edit-cancel').addEventListener('click', closeEdit);
  $('settings-history-close').addEventListener('click', () => {
    historyOf = null;
    $('settings-history').hidden = true;
  });

  return {
    enter() {
      showText($('settings-info'), '');
      closeEdit();
      historyOf = null;
      $('settings-history').hidden = true;
      load();
      terminalShare.enter();
    },
    leave() {},
    render,
  };
}
