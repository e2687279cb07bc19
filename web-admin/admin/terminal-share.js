// The 資格確認端末's shared folder (upstream profile "terminal"), on the settings page: the account's password
// (sent once, sealed in the appliance, never shown again) and 接続テスト, which reaches the share with the
// settings as they are stored and lists its req/ res/ face/ folders, saying what is wrong.

import * as api from './api.js';
import { t } from '/i18n/texts.js';
import { $, busy, el, showProblem } from './ui.js';

export function createTerminalShare() {
  function showPasswordState(set) {
    $('terminal-password-state').textContent = set ? t('admin.terminal.passwordSet') : t('admin.terminal.passwordUnset');
  }

  async function load() {
    showProblem($('terminal-error'), null);
    $('terminal-result').hidden = true;
    try {
      const state = await api.get('/admin/api/upstream/terminal');
      showPasswordState(state.passwordSet);
    } catch (error) {
      showProblem($('terminal-error'), error);
    }
  }

  async function savePassword(e) {
    e.preventDefault();
    const field = $('terminal-password');
    const password = field.value;
    showProblem($('terminal-error'), null);
    try {
      const state = await busy($('terminal-share'), () =>
        api.put('/admin/api/upstream/terminal/password', { password }));
      showPasswordState(state.passwordSet);
    } catch (error) {
      showProblem($('terminal-error'), error);
    } finally {
      field.value = '';  // never kept in the page
    }
  }

  async function test() {
    showProblem($('terminal-error'), null);
    $('terminal-result').hidden = true;
    let result;
    try {
      result = await busy($('terminal-share'), () => api.post('/admin/api/upstream/terminal/test', {}));
    } catch (error) {
      showProblem($('terminal-error'), error);
      return;
    }
    $('terminal-verdict').textContent = result.ok ? t('admin.terminal.ok', { share: result.share || '' })
                                                  : t('admin.terminal.notOk');
    const items = (result.problems || []).map((p) => el('li', { text: p.message }));
    for (const f of result.folders || []) {
      items.push(el('li', { text: f.ok ? t('admin.terminal.folderOk', { name: f.name, files: f.files })
                                       : t('admin.terminal.folderNotOk', { name: f.name, problem: f.problem }) }));
    }
    $('terminal-folders').replaceChildren(...items);
    $('terminal-result').hidden = false;
  }

  $('terminal-password-form').addEventListener('submit', savePassword);
  $('terminal-test').addEventListener('click', test);
  return { enter: load };
}
