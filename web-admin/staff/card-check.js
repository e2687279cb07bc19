// The staff page for card checks on home visits (tablet): a staff member signs in with their own account
// (the web admin's accounts: user name, password, the authenticator app's code) and stays signed in on the
// tablet for a shift; picks a reader and a mode (暗証番号 or 目視確認) with the optional consent, then follows
// the check. The session is an HttpOnly cookie the page never sees; nothing of the patient's is stored.

import { Api, currentStaff, signIn as signInAt, signOut as signOutAt } from './api.js';
import { CheckView, problemTitle } from './check.js';
import { applyTexts, currentLanguage, loadLanguage, preferredLanguage, t } from '/i18n/texts.js';
import { ReadersView } from './readers.js';

const $ = (id) => document.getElementById(id);

const page = { session: null, api: null, readers: null, check: null, mode: 'pin', view: null, notice: null, modes: null };

function show(view) {
  page.view = view;
  for (const name of ['login', 'start', 'check']) $(`view-${name}`).hidden = name !== view;
  const signedIn = view !== 'login';
  $('staff-label').hidden = !signedIn;
  $('sign-out').hidden = view !== 'start';
}

function notice(key) {
  page.notice = key;
  $('notice').hidden = !key;
  $('notice').textContent = key ? t(key) : '';
}

// --- sign in -------------------------------------------------------------------------------------------

function showLogin(reason) {
  page.readers.stop();
  page.check.use(null, null);
  page.session = null;
  page.api = null;
  $('login-password').value = '';
  $('login-code').value = '';
  loginError(null);
  if (reason) notice(reason);
  show('login');
  $(($('login-user').value ? 'login-password' : 'login-user')).focus();
}

function staffLabel() {
  return t('app.staff', { name: page.session.staff.displayName });
}

// `session`: what the box answered to the sign-in or to GET /api/v1/staff/me.
function enter(session) {
  page.session = { ...session, staffId: session.staff.username };
  page.api = new Api(session.csrfToken, () => showLogin('login.expired'));
  $('staff-label').textContent = staffLabel();
  page.check.use(page.api, page.session);
  notice(null);
  show('start');
  page.readers.start(page.api);
  loadModes();
}

function loginError(text) {
  $('login-error').hidden = !text;
  $('login-error').textContent = text || '';
}

async function onLogin(e) {
  e.preventDefault();
  const username = $('login-user').value.trim();
  const password = $('login-password').value;
  const code = $('login-code').value.trim();
  if (!username || !password || !code) return loginError(t('login.missing'));
  const button = $('login-form').querySelector('button[type="submit"]');
  button.disabled = true;
  loginError(null);
  try {
    const session = await signInAt(username, password, code);
    $('login-password').value = '';
    $('login-code').value = '';
    enter(session);
  } catch (error) {
    $('login-code').value = '';
    loginError(error.status === 0 ? t('app.offline') : problemTitle(error.kind, error.problem.title) +
      (error.problem.detail ? ` ${error.problem.detail}` : ''));
  } finally {
    button.disabled = false;
  }
}

async function onSignOut() {
  const csrf = page.session && page.session.csrfToken;
  showLogin(null);
  await signOutAt(csrf);
}

// Through a 資格確認端末 there is no PIN check and no consent here: only a visual check, which then needs the
// insured identifiers for its inquiry. A box that cannot say keeps every mode (the server refuses plainly).
async function loadModes() {
  let modes = { pin: true, consent: true, visualNeedsInsured: false };
  try {
    modes = await page.api.modes();
  } catch {
    // an older box, or offline: the start view stays as it is
  }
  page.modes = modes;
  document.querySelector('[data-mode="pin"]').hidden = !modes.pin;
  if (!modes.pin && page.mode === 'pin') setMode('visual');
  $('consent').hidden = !modes.consent;
  if (!modes.consent) $('consent-on').checked = false;
  $('insured-fields').hidden = !modes.visualNeedsInsured;
  $('modes-note').hidden = !modes.note;
  $('modes-note').textContent = modes.note || '';
}

function insuredRequest() {
  if (!page.modes || !page.modes.visualNeedsInsured) return {};
  const value = (id) => $(id).value.trim();
  const birth = value('insured-birth');
  if (!value('insured-insurer') || !value('insured-number') || !/^\d{4}-\d{2}-\d{2}$/.test(birth)) return { error: 'insured.needed' };
  return {
    insured: {
      insurerNumber: value('insured-insurer'), cardSymbol: value('insured-symbol'), cardNumber: value('insured-number'),
      branchNumber: value('insured-branch'), birthDate: birth.replaceAll('-', ''),
    },
  };
}

function clearInsured() {
  for (const id of ['insured-insurer', 'insured-symbol', 'insured-number', 'insured-branch', 'insured-birth']) $(id).value = '';
}

// --- the start view: reader, mode, consent -------------------------------------------------------------

function japanToday() {
  const parts = new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Tokyo', year: 'numeric', month: '2-digit', day: '2-digit' })
    .formatToParts(new Date());
  const part = (type) => parts.find((p) => p.type === type).value;
  return `${part('year')}-${part('month')}-${part('day')}`;
}

function setMode(mode) {
  page.mode = mode;
  for (const b of document.querySelectorAll('[data-mode]')) b.setAttribute('aria-pressed', String(b.dataset.mode === mode));
}

// 確認を開始 stays off until a reader is chosen; the line under it says what is missing.
function renderStart() {
  const readers = page.readers;
  const ready = Boolean(readers && readers.serviceUp() && readers.selected);
  $('start').disabled = !ready;
  const why = ready ? '' : !readers || !readers.serviceUp() ? t('start.whyNoService') : t('start.whyNoReader');
  $('start-why').hidden = !why;
  $('start-why').textContent = why;
}

function consentRequest() {
  if (!$('consent-on').checked) return { consent: null };
  const scopes = [...document.querySelectorAll('input[name="scope"]:checked')].map((c) => c.value);
  const kind = document.querySelector('input[name="kind"]:checked');
  const date = $('consent-date').value;
  if (!scopes.length) return { error: 'consent.needScope' };
  if (!/^\d{4}-\d{2}-\d{2}$/.test(date)) return { error: 'consent.needDate' };
  return { consent: { scopes, medicalTreatmentFlag: Number(kind.value), examinationDate: date.replaceAll('-', '') } };
}

function startError(text) {
  $('start-error').hidden = !text;
  $('start-error').textContent = text || '';
}

async function startCheck() {
  const { consent, error } = consentRequest();
  if (error) return startError(t(error));
  const { insured, error: insuredError } = insuredRequest();
  if (insuredError) return startError(t(insuredError));
  const request = { reader: page.readers.selected, mode: page.mode, staffId: page.session.staffId };
  if (consent) request.consent = consent;
  if (insured) request.insured = insured;
  $('start').disabled = true;
  startError(null);
  try {
    await page.check.open(request);
    clearInsured();  // the patient's identifiers are not kept on the page
    show('check');
  } catch (e) {
    const problem = e.problem || {};
    const detail = e.kind === 'invalid-field' && problem.detail ? ` (${problem.detail})` : '';
    startError(e.status === 0 || !e.problem ? t('app.offline') : problemTitle(e.kind, problem.title) + detail);
  } finally {
    renderStart();
  }
}

// --- language -----------------------------------------------------------------------------------------

async function switchLanguage(lang) {
  await loadLanguage(lang);
  applyTexts();
  for (const b of document.querySelectorAll('[data-lang]')) b.setAttribute('aria-pressed', String(b.dataset.lang === currentLanguage()));
  if (page.session) $('staff-label').textContent = staffLabel();
  if (page.readers) renderStart();
  if (page.readers) page.readers.render();
  if (page.check) page.check.rerender();
  notice(page.notice);
}

// --- start ------------------------------------------------------------------------------------------------

async function boot() {
  page.readers = new ReadersView(renderStart, (ok) => notice(ok ? null : 'app.offline'));
  page.check = new CheckView(() => {
    show('start');
    page.readers.render();
  });
  await switchLanguage(preferredLanguage());
  for (const b of document.querySelectorAll('[data-lang]')) b.addEventListener('click', () => switchLanguage(b.dataset.lang));
  for (const b of document.querySelectorAll('[data-mode]')) b.addEventListener('click', () => setMode(b.dataset.mode));
  $('login-form').addEventListener('submit', onLogin);
  $('sign-out').addEventListener('click', onSignOut);
  $('consent-on').addEventListener('change', () => { $('consent-fields').hidden = !$('consent-on').checked; });
  $('consent-date').value = japanToday();
  $('start').addEventListener('click', startCheck);
  // Still signed in on this tablet (the shift's cookie): straight to the readers.
  let session = null;
  try {
    session = await currentStaff();
  } catch {
    notice('app.offline');
  }
  if (session) enter(session);
  else showLogin(null);
}

// The one text not from i18n: the text tables themselves could not be loaded.
boot().catch(() => {
  $('notice').hidden = false;
  $('notice').textContent = '画面の文言を読み込めませんでした。再読み込みしてください / Could not load the page texts. Reload the page.';
});
