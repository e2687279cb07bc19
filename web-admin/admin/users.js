// Users of the web admin (administrators only): the list with role and state, adding one with an initial
// password, changing the role, disabling and enabling, lifting a lockout, removing a lost second factor
// (the user enrols again at the next sign-in), and resetting a forgotten password — to one typed here, or
// to a one-time password the appliance makes and this page shows once — optionally with the second factor.

import * as api from './api.js';
import { t, tOr } from '/i18n/texts.js';
import { $, busy, confirmingButton, el, formatTime, showProblem, showText } from './ui.js';

const ROLES = ['administrator', 'operator', 'auditor'];

export function createUsers(ctx) {
  let users = [];
  let resetting = null;  // the user in the reset form

  function badge(text, cls) {
    return el('span', { cls: `badge ${cls}`, text });
  }

  function button(text, action, cls = 'quiet small') {
    return el('button', { cls, text, attrs: { type: 'button', 'data-action': action } });
  }

  async function change(user, method, path, body, doneKey) {
    showProblem($('users-error'), null);
    showText($('users-info'), '');
    let updated;
    try {
      updated = await api.call(method, path, body);
    } catch (error) {
      showProblem($('users-error'), error);
      render();
      return;
    }
    users = users.map((u) => (u.id === updated.id ? updated : u));
    showText($('users-info'), doneKey(updated.displayName || updated.username));
    render();
  }

  function roleCell(u) {
    const select = el('select', { attrs: { 'aria-label': t('admin.users.roleOf', { name: u.username }), 'data-field': 'role' } },
      ...ROLES.map((r) => el('option', { text: t(`admin.role.${r}`), attrs: { value: r, selected: r === u.role } })));
    const apply = button(t('admin.users.changeRole'), 'role');
    apply.disabled = true;
    select.addEventListener('change', () => { apply.disabled = select.value === u.role; });
    apply.addEventListener('click', () => change(u, 'PATCH', `/admin/api/users/${u.id}`, { role: select.value },
      (name) => t('admin.users.roleChanged', { name, role: t(`admin.role.${select.value}`) })));
    return el('td', {}, el('div', { cls: 'role-cell' }, select, apply));
  }

  function stateCell(u) {
    const cell = el('div', { cls: 'badges' },
      u.disabled ? badge(t('admin.users.disabled'), 'badge-bad') : badge(t('admin.users.active'), 'badge-ok'),
      u.totpEnabled ? badge(t('admin.users.totpOn'), 'badge-plain') : badge(t('admin.users.totpOff'), 'badge-warn'));
    if (u.locked) {
      cell.append(badge(t('admin.users.locked'), 'badge-bad locked'));
      if (u.lockedUntil) cell.append(el('span', { cls: 'hint', text: t('admin.users.lockedUntil', { time: formatTime(u.lockedUntil) }) }));
      // Locks are per machine: the addresses say whose (a colleague who mistyped, or an attacker's machine).
      const addresses = (u.lockedFrom || []).map((a) => a.address).join(', ');
      if (addresses) cell.append(el('span', { cls: 'hint', text: t('admin.users.lockedFrom', { addresses }) }));
    } else if (u.failedAttempts > 0) {
      cell.append(badge(t('admin.users.failures', { count: u.failedAttempts }), 'badge-warn'));
    }
    return el('td', {}, cell);
  }

  function actionsCell(u) {
    const cell = el('td', { cls: 'actions' });
    const self = ctx.me() && ctx.me().user && ctx.me().user.id === u.id;
    if (u.locked) {
      const unlock = button(t('admin.users.unlock'), 'unlock', 'primary small');
      unlock.addEventListener('click', () => change(u, 'POST', `/admin/api/users/${u.id}/unlock`, {},
        (name) => t('admin.users.unlocked', { name })));
      cell.append(unlock);
    }
    if (u.disabled) {
      const enable = button(t('admin.users.enable'), 'enable');
      enable.addEventListener('click', () => change(u, 'PATCH', `/admin/api/users/${u.id}`, { disabled: false },
        (name) => t('admin.users.enabled', { name })));
      cell.append(enable);
    } else if (!self) {
      cell.append(confirmingButton(button(t('admin.users.disable'), 'disable'), t('admin.common.pressAgain'),
        () => change(u, 'PATCH', `/admin/api/users/${u.id}`, { disabled: true }, (name) => t('admin.users.disabledDone', { name }))));
    }
    if (!self) {
      const reset = button(t('admin.users.resetPassword'), 'reset-password');
      reset.setAttribute('aria-controls', 'user-reset');
      reset.addEventListener('click', () => openReset(u));
      cell.append(reset);
    }
    if (u.totpEnabled && !self) {
      cell.append(confirmingButton(button(t('admin.users.resetTotp'), 'reset-second-factor'), t('admin.common.pressAgain'),
        () => change(u, 'POST', `/admin/api/users/${u.id}/reset-second-factor`, {}, (name) => t('admin.users.totpReset', { name }))));
    }
    return cell;
  }

  function render() {
    $('users-rows').replaceChildren(...users.map((u) => el('tr', { attrs: { 'data-username': u.username } },
      el('th', { attrs: { scope: 'row' } }, el('code', { text: u.username })),
      el('td', { cls: 'nowrap', text: u.displayName }),
      roleCell(u),
      stateCell(u),
      actionsCell(u))));
    // the role names in the add form follow the language
    for (const option of $('user-add-role').options) option.textContent = tOr(`admin.role.${option.value}`, option.value);
  }

  async function load() {
    try {
      ({ users } = await api.get('/admin/api/users'));
      showProblem($('users-error'), null);
    } catch (error) {
      showProblem($('users-error'), error);
    }
    render();
  }

  async function add(e) {
    e.preventDefault();
    showProblem($('user-add-error'), null);
    showText($('users-info'), '');
    const body = {
      username: $('user-add-username').value.trim(),
      displayName: $('user-add-display').value.trim(),
      role: $('user-add-role').value,
      password: $('user-add-password').value,
    };
    let made;
    try {
      made = await busy(e.currentTarget, () => api.post('/admin/api/users', body));
    } catch (error) {
      showProblem($('user-add-error'), error);
      return;
    }
    e.target.reset();
    users = [...users, made];
    showText($('users-info'), t('admin.users.added', { name: made.displayName || made.username }));
    render();
  }

  // --- password reset ----------------------------------------------------------------------------------

  function typedChosen() {
    return $('user-reset-typed').checked;
  }

  function renderReset() {
    if (!resetting) return;
    const name = resetting.displayName || resetting.username;
    $('user-reset-title').textContent = t('admin.users.resetTitle', { name });
    $('user-reset-password').disabled = !typedChosen();
    $('user-reset-password').required = typedChosen();
    $('user-reset-totp-row').hidden = !resetting.totpEnabled;
  }

  function openReset(u) {
    closeOnce();
    resetting = u;
    $('user-reset-form').reset();
    showProblem($('user-reset-error'), null);
    $('user-reset').hidden = false;
    renderReset();
    $('user-reset-title').focus();
  }

  function closeReset() {
    resetting = null;
    $('user-reset-form').reset();  // a typed password does not stay in the page
    $('user-reset').hidden = true;
  }

  function closeOnce() {
    $('user-once-password').textContent = '';
    $('user-once').hidden = true;
  }

  async function submitReset(e) {
    e.preventDefault();
    if (!resetting) return;
    const u = resetting;
    const name = u.displayName || u.username;
    const body = typedChosen() ? { password: $('user-reset-password').value } : {};
    const totpToo = u.totpEnabled && $('user-reset-totp').checked;
    showProblem($('user-reset-error'), null);
    showText($('users-info'), '');
    let answer;
    try {
      answer = await busy(e.currentTarget, async () => {
        const done = await api.post(`/admin/api/users/${u.id}/password-reset`, body);
        if (totpToo) return { ...(await api.post(`/admin/api/users/${u.id}/reset-second-factor`)), oneTimePassword: done.oneTimePassword };
        return done;
      });
    } catch (error) {
      showProblem($('user-reset-error'), error);
      return;
    }
    const { oneTimePassword, ...updated } = answer;
    users = users.map((x) => (x.id === updated.id ? updated : x));
    closeReset();
    showText($('users-info'), t(totpToo ? 'admin.users.resetDoneTotp' : 'admin.users.resetDone', { name }));
    if (oneTimePassword) {
      $('user-once-title').textContent = t('admin.users.oneTimeTitle', { name });
      $('user-once-password').textContent = oneTimePassword;
      $('user-once').hidden = false;
    }
    render();
  }

  $('user-reset-form').addEventListener('submit', submitReset);
  $('user-reset-form').addEventListener('change', renderReset);
  $('user-reset-cancel').addEventListener('click', closeReset);
  $('user-once-done').addEventListener('click', closeOnce);

  $('user-add-form').addEventListener('submit', add);
  $('users-refresh').addEventListener('click', () => {
    showText($('users-info'), '');
    load();
  });

  return {
    enter() {
      showText($('users-info'), '');
      load();
    },
    leave() {
      closeReset();
      closeOnce();  // the one-time password is never shown again, not even by coming back
    },
    render() {
      render();
      renderReset();
    },
  };
}
