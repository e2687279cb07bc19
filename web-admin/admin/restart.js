// 本機を再起動: the one restart of the gateway the admin pages offer — the appliance's POST /admin/api/restart,
// the same restart a staged restore uses — after a confirm dialog, audited by the appliance; the page
// reloads itself once the box answers again. Above every view, a banner while a stored setting waits for
// a restart (GET /admin/api/settings says so), with the same button.

import * as api from './api.js';
import { t } from '/i18n/texts.js';
import { $, showProblem, showText } from './ui.js';

export function createRestart(ctx) {
  let pending = false;     // a stored value differs from the running one
  let restarting = false;

  function available() {
    return ctx.can('manage-settings') && ctx.hasRoute('POST', '/admin/api/restart');
  }

  function render() {
    $('restart-banner').hidden = !pending || restarting || !available();
    for (const b of document.querySelectorAll('[data-restart]')) b.disabled = restarting || !available();
  }

  // Asked again after every view change and every saved setting.
  async function refresh() {
    if (!available() || !ctx.hasRoute('GET', '/admin/api/settings')) {
      pending = false;
      render();
      return;
    }
    try {
      pending = Boolean((await api.get('/admin/api/settings')).restartPending);
    } catch {
      // the settings view shows the appliance's answer; the banner stays as it was
    }
    render();
  }

  function ask() {
    if (restarting || !available()) return;
    showProblem($('restart-error'), null);
    $('restart-dialog').returnValue = '';
    $('restart-dialog').showModal();
  }

  async function restart() {
    showProblem($('restart-error'), null);
    restarting = true;
    render();
    try {
      await api.post('/admin/api/restart');
    } catch (error) {
      restarting = false;
      render();
      showProblem($('restart-error'), error);
      return;
    }
    showText($('restart-progress'), t('admin.restart.restarting'));
    await api.waitForRestart();
    location.reload();
  }

  $('restart-dialog').addEventListener('close', () => {
    if ($('restart-dialog').returnValue === 'restart') restart();
  });
  for (const b of document.querySelectorAll('[data-restart]')) b.addEventListener('click', ask);

  return {
    refresh,
    signedOut() {
      pending = false;
      render();
      showProblem($('restart-error'), null);
    },
  };
}
