// Who is at the keyboard: the first-run wizard (setup code and first administrator — or a restore from a
// backup —, second factor, recovery codes, facility, and optionally an HTTP API client for the receipt
// computer), sign-in with password and second factor, and the enrolment a new user goes through at the
// first sign-in. Each step is one view of index.html; the app shows the rest.

import { cidrList, createTokenBox, issueApiClient } from './api-clients.js';
import * as api from './api.js';
import { t } from '/i18n/texts.js';
import { $, busy, download, el, formatTime, readFileBase64, showProblem, showSvgImage, showText } from './ui.js';

const FACILITY_FIELDS = [
  ['facility-name', 'facility.name'],
  ['facility-code', 'facility.institutionCode'],
  ['facility-upstream', 'upstream.baseUrl'],
];

// The problem's detail in words: "until 2026-11-30T09:15:00+09:00" (a lockout after wrong second factors)
// → when it ends; "retry after 3 s" (the per-machine throttle) → when to try again.
function signInDetail(error) {
  const detail = (error.problem && error.problem.detail) || '';
  const locked = error.kind === 'account-locked' && /until (\S+)/.exec(detail);
  if (locked) return t('admin.login.lockedUntil', { time: formatTime(locked[1]) });
  const throttled = error.kind === 'too-many-attempts' && /retry after (\d+) s/.exec(detail);
  if (throttled) return t('admin.login.retryAfter', { seconds: throttled[1] });
  return '';
}

function showSignInProblem(box, error) {
  showProblem(box, error);
  const detail = signInDetail(error);
  const line = box.querySelector('.alert-detail');
  if (detail && line) line.textContent = detail;
}

export class Auth {
  // app: { show(name), wizard(step|null), enterApp(), notice(key|null), hasRoute(method, path) }
  constructor(app) {
    this.app = app;
    this.firstRun = false;
    this.recoveryCodes = [];
    this.settingsBefore = {};
    this.clientToken = null;  // the token box of the wizard's last step (made in wire())
  }

  wire() {
    $('setup-form').addEventListener('submit', (e) => this.submitSetup(e));
    $('restore-open').addEventListener('click', () => this.toggleRestore());
    $('setup-restore-form').addEventListener('submit', (e) => this.submitSetupRestore(e));
    $('enrol-form').addEventListener('submit', (e) => this.submitEnrol(e));
    $('recovery-saved').addEventListener('change', () => { $('recovery-continue').disabled = !$('recovery-saved').checked; });
    $('recovery-download').addEventListener('click', () => this.downloadRecoveryCodes());
    $('recovery-continue').addEventListener('click', () => this.afterRecovery());
    $('facility-form').addEventListener('submit', (e) => this.submitFacility(e));
    $('facility-later').addEventListener('click', () => this.afterFacility());
    $('wizard-client-form').addEventListener('submit', (e) => this.submitClient(e));
    $('wizard-client-skip').addEventListener('click', () => this.finish());
    this.clientToken = createTokenBox('wizard-client', () => this.finish());
    $('login-form').addEventListener('submit', (e) => this.submitLogin(e));
    $('second-form').addEventListener('submit', (e) => this.submitSecond(e));
    $('second-cancel').addEventListener('click', () => this.cancelSecond());
  }

  // --- first run: setup code and the first administrator ---------------------------------------------

  startSetup() {
    this.firstRun = true;
    this.app.wizard('setup');
    this.app.show('setup');
    $('setup-code').focus();
  }

  async submitSetup(e) {
    e.preventDefault();
    const form = e.currentTarget;
    showProblem($('setup-error'), null);
    if ($('setup-password').value !== $('setup-password2').value) {
      showText($('setup-error'), t('admin.password.mismatch'));
      return;
    }
    const body = {
      setupCode: $('setup-code').value.trim().toUpperCase(),
      username: $('setup-username').value.trim(),
      displayName: $('setup-display').value.trim(),
      password: $('setup-password').value,
    };
    try {
      await busy(form, () => api.post('/admin/api/setup', body, { signingIn: true }));
    } catch (error) {
      showSignInProblem($('setup-error'), error);
      if (error.kind === 'setup-code-wrong') $('setup-code').select();
      if (error.kind === 'setup-done') this.app.notice('admin.setup.alreadyDone');
      return;
    }
    for (const id of ['setup-code', 'setup-password', 'setup-password2']) $(id).value = '';
    await this.startEnrol();
  }

  toggleRestore() {
    const panel = $('setup-restore');
    panel.hidden = !panel.hidden;
    $('restore-open').setAttribute('aria-expanded', String(!panel.hidden));
    if (panel.hidden) return;
    $('setup-restore-code').value = $('setup-code').value;
    const on = this.app.hasRoute('POST', '/admin/api/setup/restore');
    $('setup-restore-unavailable').hidden = on;
    for (const c of $('setup-restore-form').elements) c.disabled = !on;
  }

  async submitSetupRestore(e) {
    e.preventDefault();
    const form = e.currentTarget;
    showProblem($('setup-restore-error'), null);
    showText($('setup-restore-done'), '');
    const file = $('setup-restore-file').files[0];
    if (!file) return;
    let answer;
    try {
      answer = await busy(form, async () => api.post('/admin/api/setup/restore', {
        setupCode: $('setup-restore-code').value.trim().toUpperCase(),
        backup: await readFileBase64(file),
        passphrase: $('setup-restore-passphrase').value,
      }, { signingIn: true }));
    } catch (error) {
      showProblem($('setup-restore-error'), error);
      return;
    }
    $('setup-restore-passphrase').value = '';
    if (!answer.restarting) {
      showText($('setup-restore-done'), t('admin.setupRestore.done'));
      return;
    }
    // Nobody can sign in yet to ask for the restart, so the appliance restarts by itself; it is back
    // once it no longer asks for a setup (the restored administrators are there).
    showText($('setup-restore-done'), t('admin.setupRestore.restarting'));
    for (const c of form.elements) c.disabled = true;
    await api.waitForRestart((setup) => setup.needed === false);
    location.reload();
  }

  // --- second factor: enrolment and recovery codes --------------------------------------------------

  async startEnrol() {
    this.app.wizard(this.firstRun ? 'enrol' : null);
    showProblem($('enrol-error'), null);
    $('enrol-code').value = '';
    $('enrol-secret').textContent = '';
    showSvgImage($('enrol-qr'), '');
    this.app.show('enrol');
    try {
      const begun = await api.post('/admin/api/me/second-factor');
      showSvgImage($('enrol-qr'), begun.qrSvg);
      $('enrol-secret').textContent = (begun.secret || '').replace(/(.{4})/g, '$1 ').trim();
      $('enrol-code').focus();
    } catch (error) {
      showProblem($('enrol-error'), error);
    }
  }

  async submitEnrol(e) {
    e.preventDefault();
    const form = e.currentTarget;
    showProblem($('enrol-error'), null);
    let done;
    try {
      done = await busy(form, () => api.post('/admin/api/me/second-factor/confirm', { code: $('enrol-code').value.trim() },
        { signingIn: true }));
    } catch (error) {
      showProblem($('enrol-error'), error);
      $('enrol-code').select();
      return;
    }
    $('enrol-secret').textContent = '';
    showSvgImage($('enrol-qr'), '');
    this.showRecovery((done.recoveryCodes || []).map((c) => c.code));
  }

  showRecovery(codes) {
    this.recoveryCodes = codes;
    $('recovery-codes').replaceChildren(...codes.map((code) => el('li', { text: code })));
    $('recovery-saved').checked = false;
    $('recovery-continue').disabled = true;
    this.app.wizard(this.firstRun ? 'recovery' : null);
    this.app.show('recovery');
  }

  downloadRecoveryCodes() {
    const lines = [t('admin.recovery.fileTitle'), '', ...this.recoveryCodes, ''];
    download(new Blob([lines.join('\r\n')], { type: 'text/plain;charset=utf-8' }), 'kakehashi-recovery-codes.txt');
  }

  async afterRecovery() {
    this.recoveryCodes = [];
    $('recovery-codes').replaceChildren();
    if (this.firstRun) await this.startFacility();
    else await this.finish();
  }

  // --- first run, last step: the facility's settings ------------------------------------------------

  async startFacility() {
    this.app.wizard('facility');
    showProblem($('facility-error'), null);
    this.app.show('facility');
    try {
      const { settings } = await api.get('/admin/api/settings');
      this.settingsBefore = Object.fromEntries(settings.map((s) => [s.key, s.value]));
    } catch (error) {
      showProblem($('facility-error'), error);
      this.settingsBefore = {};
    }
    for (const [id, key] of FACILITY_FIELDS) $(id).value = this.settingsBefore[key] || '';
    $('facility-name').focus();
  }

  async submitFacility(e) {
    e.preventDefault();
    const form = e.currentTarget;
    showProblem($('facility-error'), null);
    for (const [id] of FACILITY_FIELDS) $(id).removeAttribute('aria-invalid');
    for (const [id, key] of FACILITY_FIELDS) {
      const value = $(id).value.trim();
      if (value === (this.settingsBefore[key] || '')) continue;
      try {
        await busy(form, () => api.put(`/admin/api/settings/${api.segment(key)}`, { value }));
        this.settingsBefore[key] = value;
      } catch (error) {
        $(id).setAttribute('aria-invalid', 'true');
        showProblem($('facility-error'), error);
        $(id).focus();
        return;
      }
    }
    await this.afterFacility();
  }

  // --- first run, optional last step: an HTTP API client for the receipt computer --------------------

  async afterFacility() {
    if (!this.app.hasRoute('POST', '/admin/api/api-clients')) {
      await this.finish();
      return;
    }
    this.app.wizard('client');
    showProblem($('wizard-client-error'), null);
    this.clientToken.clear();
    $('wizard-client-form').hidden = false;
    this.app.show('wizard-client');
    $('wizard-client-name').focus();
  }

  async submitClient(e) {
    e.preventDefault();
    const form = e.currentTarget;
    showProblem($('wizard-client-error'), null);
    let issued;
    try {
      issued = await busy(form, () => issueApiClient($('wizard-client-name').value, cidrList($('wizard-client-cidrs').value)));
    } catch (error) {
      showProblem($('wizard-client-error'), error);
      $('wizard-client-name').focus();
      return;
    }
    form.hidden = true;
    this.clientToken.show(issued.name, issued.token);
  }

  async finish() {
    if (this.clientToken) this.clientToken.clear();
    this.firstRun = false;
    this.app.wizard(null);
    await this.app.enterApp();
  }

  // --- sign-in --------------------------------------------------------------------------------------

  showLogin() {
    this.firstRun = false;
    this.app.wizard(null);
    showProblem($('login-error'), null);
    $('login-password').value = '';
    this.app.show('login');
    ($('login-username').value ? $('login-password') : $('login-username')).focus();
  }

  async submitLogin(e) {
    e.preventDefault();
    const form = e.currentTarget;
    showProblem($('login-error'), null);
    this.app.notice(null);
    let answer;
    try {
      answer = await busy(form, () => api.post('/admin/api/login', {
        username: $('login-username').value.trim(),
        password: $('login-password').value,
      }, { signingIn: true }));
    } catch (error) {
      $('login-password').value = '';
      showSignInProblem($('login-error'), error);
      $('login-password').focus();
      return;
    }
    $('login-password').value = '';
    if (answer.next === 'enrol-second-factor') await this.startEnrol();
    else this.showSecond();
  }

  showSecond() {
    this.app.wizard(null);
    showProblem($('second-error'), null);
    $('second-code').value = '';
    this.app.show('second');
    $('second-code').focus();
  }

  async submitSecond(e) {
    e.preventDefault();
    const form = e.currentTarget;
    showProblem($('second-error'), null);
    try {
      await busy(form, () => api.post('/admin/api/login/second-factor', { code: $('second-code').value.trim() },
        { signingIn: true }));
    } catch (error) {
      $('second-code').value = '';
      if (error.kind === 'account-locked' || error.kind === 'unauthorized') {
        // the appliance ended the half-open session (or its id was replaced): start again from the password
        api.forgetSession();
        this.showLogin();
        showSignInProblem($('login-error'), error);
        return;
      }
      showSignInProblem($('second-error'), error);
      $('second-code').focus();
      return;
    }
    $('second-code').value = '';
    await this.app.enterApp();
  }

  async cancelSecond() {
    try {
      await api.post('/admin/api/logout', undefined, { signingIn: true });
    } catch {
      // the session may already be gone: signing in again starts a new one either way
    }
    api.forgetSession();
    this.showLogin();
  }
}
