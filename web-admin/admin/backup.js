// Backup and restore of the box, and the configuration's export and import. A backup is made by the
// appliance, encrypted with the passphrase given here, and saved as a file; a restore is staged and
// applied by a restart.

import * as api from './api.js';
import { t, tOr } from '/i18n/texts.js';
import { $, busy, download, el, fileNameOf, formatTime, japanStamp, readFileBase64, readFileText, showProblem, showText } from './ui.js';

export function createBackup(ctx) {
  let staged = null;  // the restore's answer: {staged, restartRequired, contents}

  function available() {
    return ctx.hasRoute('POST', '/admin/api/backup');
  }

  function contentText(value) {
    if (typeof value === 'boolean') return value ? t('admin.common.yes') : t('admin.common.no');
    if (value !== null && typeof value === 'object') return JSON.stringify(value);
    return String(value);
  }

  function render() {
    const on = available();
    for (const form of ['backup-form', 'restore-form', 'config-import-form']) {
      for (const c of $(form).elements) c.disabled = !on;
    }
    $('config-export').disabled = !on;
    $('backup-unavailable').hidden = on;
    $('restore-staged').hidden = !staged;
    const contents = (staged && staged.contents) || {};
    const facts = Object.entries(contents).flatMap(([key, value]) => [
      el('dt', { text: tOr(`admin.backup.contents.${key}`, key) }),
      el('dd', { text: contentText(value) }),
    ]);
    if (staged && staged.createdAt) facts.unshift(el('dt', { text: t('admin.backup.createdAt') }), el('dd', { text: formatTime(staged.createdAt) }));
    $('restore-contents').replaceChildren(...facts);
    $('restore-key').hidden = !(staged && staged.replacesDataKey);
  }

  function begin() {
    showProblem($('backup-error'), null);
    showText($('backup-info'), '');
  }

  // The last backup (from the audit log), and a warning when there is none or it is older than the box asks.
  let last = null;
  function renderLast() {
    const box = $('backup-last');
    box.hidden = !last;
    if (!last) return;
    box.textContent = last.lastBackup
      ? t('admin.backup.lastMade', { time: formatTime(last.lastBackup.at), by: last.lastBackup.by, days: last.lastBackup.daysAgo })
      : t('admin.backup.never');
    box.dataset.state = last.due ? 'bad' : 'ok';
    $('backup-due').hidden = !last.due;
    $('backup-due').textContent = last.due ? t('admin.backup.due', { days: last.dueDays }) : '';
  }

  async function loadLast() {
    try {
      last = await api.get('/admin/api/backup');
    } catch {
      last = null;  // an older box: no line rather than a wrong one
    }
    renderLast();
  }

  async function makeBackup(e) {
    e.preventDefault();
    const form = e.currentTarget;
    begin();
    if ($('backup-passphrase').value !== $('backup-passphrase2').value) {
      showText($('backup-error'), t('admin.backup.passphraseMismatch'));
      return;
    }
    try {
      await busy(form, async () => {
        const res = await api.call('POST', '/admin/api/backup',
          { passphrase: $('backup-passphrase').value, includeCache: $('backup-cache').checked }, { raw: true });
        download(await res.blob(), fileNameOf(res, `kakehashi-backup-${japanStamp()}.khbk`));
      });
    } catch (error) {
      showProblem($('backup-error'), error);
      return;
    }
    form.reset();
    showText($('backup-info'), t('admin.backup.made'));
    loadLast();
  }

  async function restore(e) {
    e.preventDefault();
    const form = e.currentTarget;
    begin();
    const file = $('restore-file').files[0];
    if (!file) return;
    try {
      staged = await busy(form, async () => api.post('/admin/api/restore',
        { backup: await readFileBase64(file), passphrase: $('restore-passphrase').value }));
    } catch (error) {
      showProblem($('backup-error'), error);
      return;
    }
    form.reset();
    render();
    $('restart').focus();
  }

  // The restart applies a staged restore, which ends every session: once /me says so, the box is back.
  async function sessionEnded() {
    try {
      await api.get('/admin/api/me', { signingIn: true });
      return false;
    } catch (error) {
      return error.status === 401;
    }
  }

  async function restart() {
    begin();
    try {
      await busy($('restore-staged'), () => api.post('/admin/api/restart'));
    } catch (error) {
      showProblem($('backup-error'), error);
      return;
    }
    showText($('backup-info'), t('admin.backup.restarting'));
    await api.waitForRestart(sessionEnded);
    location.reload();
  }

  async function exportConfig() {
    begin();
    try {
      const res = await api.call('GET', '/admin/api/config/export', undefined, { raw: true });
      download(await res.blob(), fileNameOf(res, `kakehashi-config-${japanStamp()}.json`));
    } catch (error) {
      showProblem($('backup-error'), error);
      return;
    }
    showText($('backup-info'), t('admin.backup.configExported'));
  }

  async function importConfig(e) {
    e.preventDefault();
    const form = e.currentTarget;
    begin();
    const file = $('config-import-file').files[0];
    if (!file) return;
    let config;
    try {
      config = JSON.parse(await readFileText(file));
    } catch {
      showText($('backup-error'), t('admin.backup.configInvalid'));
      return;
    }
    let answer;
    try {
      answer = await busy(form, () => api.post('/admin/api/config/import', config));
    } catch (error) {
      showProblem($('backup-error'), error);
      return;
    }
    form.reset();
    const changed = (answer.changed || []).length;
    showText($('backup-info'), answer.restartRequired
      ? t('admin.backup.configImportedRestart', { count: changed })
      : t('admin.backup.configImported', { count: changed }));
  }

  $('backup-form').addEventListener('submit', makeBackup);
  $('restore-form').addEventListener('submit', restore);
  $('restart').addEventListener('click', restart);
  $('config-export').addEventListener('click', exportConfig);
  $('config-import-form').addEventListener('submit', importConfig);

  return {
    enter() {
      showProblem($('backup-error'), null);
      showText($('backup-info'), '');
      render();
      loadLast();
    },
    leave() {},
    render,
  };
}
