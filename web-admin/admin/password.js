// パスワードの変更 (every signed-in user): the current password, the new one twice. The appliance checks the
// current one like a sign-in and the new one against the policy, and answers in Japanese what to type
// instead; once changed, every session of the user ends and the page goes back to the sign-in.

import * as api from './api.js';
import { t } from '/i18n/texts.js';
import { $, busy, showProblem } from './ui.js';

export function createPassword(ctx) {
  function clear() {
    $('password-form').reset();  // no password stays in the page
    showProblem($('password-error'), null);
    $('password-confirm').setCustomValidity('');
  }

  async function change(e) {
    e.preventDefault();
    showProblem($('password-error'), null);
    const next = $('password-new').value;
    if (next !== $('password-confirm').value) {
      $('password-error').replaceChildren();
      $('password-error').textContent = t('admin.password.mismatch');
      $('password-error').hidden = false;
      $('password-confirm').focus();
      return;
    }
    try {
      await busy(e.currentTarget, () => api.post('/admin/api/me/password', {
        currentPassword: $('password-current').value,
        newPassword: next,
      }));
    } catch (error) {
      showProblem($('password-error'), error);
      return;
    }
    clear();
    history.replaceState(null, '', location.pathname);  // signed in again, the user starts at the first view
    ctx.signedOut('admin.login.passwordChanged');
  }

  $('password-form').addEventListener('submit', change);

  return {
    enter() {
      clear();
    },
    leave() {
      clear();
    },
    render() {},
  };
}
