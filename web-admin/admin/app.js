// The web admin for IT staff (one page, views switched with `hidden`): decides at start whether the box
// still needs its first-run setup, a sign-in, or shows the signed-in views; keeps the navigation (left at
// 1280 px, a top menu on a tablet) to the views the user's role may open; switches the language.

import * as api from './api.js';
import { Auth } from './auth.js';
import { createAudit } from './audit.js';
import { createBackup } from './backup.js';
import { createCertificates } from './certificates.js';
import { createChannels } from './channels.js';
import { createDashboard } from './dashboard.js';
import { createFirmware } from './firmware.js';
import { createHomeReception } from './home-reception.js';
import { applyTexts, currentLanguage, loadLanguage, preferredLanguage, t, tOr } from '/i18n/texts.js';
import { createLogs } from './logs.js';
import { createPassword } from './password.js';
import { createPair, showPairInMenu } from './pair.js';
import { createPlugins } from './plugins.js';
import { createReaders } from './readers.js';
import { createReceiptSetup } from './receipt-setup.js';
import { createRestart } from './restart.js';
import { createSettings } from './settings.js';
import { createSystem } from './system.js';
import { $ } from './ui.js';
import { createUsers } from './users.js';

const page = {
  me: null,          // GET /admin/api/me of the signed-in user
  permissions: new Set(),
  routes: null,      // "METHOD /path" of every admin route, from GET /admin/api/routes
  views: {},         // name → {enter, leave, render}
  current: null,     // the signed-in view on screen
  notice: null,      // i18n key of the line above the views
};

const ctx = {
  can: (permission) => page.permissions.has(permission),
  hasRoute: (method, path) => !page.routes || page.routes.has(`${method} ${path}`),
  me: () => page.me,
  settingsChanged: () => restart && restart.refresh(),  // a saved setting may now wait for a restart
  signedOut: (key) => signedOut(key),        // e.g. after one's own password change
};

let restart = null;  // made once the views are in the page (the settings view has a restart button)

// --- frame ------------------------------------------------------------------------------------------

function showSection(name) {
  for (const s of document.querySelectorAll('section.view')) s.hidden = s.id !== `view-${name}`;
}

function leaveCurrent() {
  if (page.current) page.views[page.current].leave();
  page.current = null;
}

function setSignedIn(signedIn) {
  document.body.classList.toggle('signed-in', signedIn);
  $('nav').hidden = !signedIn;
  $('nav-toggle').hidden = !signedIn;
  $('current-view').hidden = !signedIn;
  $('sign-out').hidden = !signedIn;
  $('user-label').hidden = !signedIn;
  if (!signedIn) openMenu(false);
}

function openMenu(open) {
  $('nav').classList.toggle('open', open);
  $('nav-toggle').setAttribute('aria-expanded', String(open));
}

function notice(key) {
  page.notice = key;
  $('notice').hidden = !key;
  $('notice').textContent = key ? t(key) : '';
}

function userLabel() {
  const user = page.me && page.me.user;
  if (!user) return;
  $('user-label').textContent = t('admin.app.user', {
    name: user.displayName || user.username,
    role: tOr(`admin.role.${user.role}`, user.role),
  });
}

function wizard(step) {
  $('wizard').hidden = !step;
  let passed = true;
  for (const li of $('wizard').querySelectorAll('li')) {
    const here = li.dataset.step === step;
    if (here) passed = false;
    li.classList.toggle('done', passed && !here);
    if (here) li.setAttribute('aria-current', 'step');
    else li.removeAttribute('aria-current');
  }
}

// --- signed-in views --------------------------------------------------------------------------------

function allowedViews() {
  return [...document.querySelectorAll('#nav a[data-view]')]
    .filter((a) => ctx.can(a.dataset.permission) && !a.parentElement.hidden)
    .map((a) => a.dataset.view);
}

function route() {
  if (!page.me) return;
  const allowed = allowedViews();
  let name = decodeURIComponent(location.hash.replace(/^#/, ''));
  if (!allowed.includes(name)) {
    name = allowed[0];
    if (!name) return;
    history.replaceState(null, '', `#${name}`);  // the address names what is on screen
  }
  if (page.current !== name) {
    leaveCurrent();
    page.current = name;
    showSection(name);
    page.views[name].enter();
    if (restart) restart.refresh();
  }
  for (const a of document.querySelectorAll('#nav a[data-view]')) {
    if (a.dataset.view === name) a.setAttribute('aria-current', 'page');
    else a.removeAttribute('aria-current');
  }
  $('current-view').textContent = $('nav').querySelector(`a[data-view="${name}"]`).textContent;
  openMenu(false);
}

async function loadRoutes() {
  try {
    const { routes } = await api.get('/admin/api/routes');
    page.routes = new Set(routes.map((r) => `${r.method} ${r.path}`));
  } catch {
    page.routes = null;  // unknown: every view offers everything and shows the appliance's answer
  }
}

async function enterApp() {
  let me;
  try {
    me = await api.get('/admin/api/me');
  } catch (error) {
    if (error.status !== 401) notice('admin.error.start');
    return;
  }
  if (!me.secondFactorPassed) {
    if (me.user && !me.user.totpEnabled) await auth.startEnrol();
    else auth.showSecond();
    return;
  }
  page.me = me;
  page.permissions = new Set((me.permissions || []).map((p) => p.name));
  if (!page.routes) await loadRoutes();
  for (const a of document.querySelectorAll('#nav a[data-permission]')) a.parentElement.hidden = !ctx.can(a.dataset.permission);
  await showPairInMenu(ctx);  // only a box in an HA pair has the pair's view
  userLabel();
  wizard(null);
  setSignedIn(true);
  route();
}

function signedOut(key) {
  leaveCurrent();
  page.me = null;
  page.permissions = new Set();
  api.forgetSession();
  if (restart) restart.signedOut();
  setSignedIn(false);
  auth.showLogin();
  notice(key);
}

async function signOut() {
  try {
    await api.post('/admin/api/logout');
  } catch {
    // the session may have ended already; the page forgets it either way
  }
  signedOut('admin.login.signedOut');
}

const app = {
  show(name) {
    leaveCurrent();
    setSignedIn(false);
    showSection(name);
  },
  wizard,
  enterApp: () => {
    notice(null);
    return enterApp();
  },
  notice,
  hasRoute: ctx.hasRoute,
};

const auth = new Auth(app);

// --- language ---------------------------------------------------------------------------------------

async function switchLanguage(lang) {
  await loadLanguage(lang);
  applyTexts();
  for (const b of document.querySelectorAll('[data-lang]')) b.setAttribute('aria-pressed', String(b.dataset.lang === currentLanguage()));
  userLabel();
  notice(page.notice);
  if (page.current) {
    $('current-view').textContent = $('nav').querySelector(`a[data-view="${page.current}"]`).textContent;
    page.views[page.current].render();
  }
}

// --- start ------------------------------------------------------------------------------------------

// Each view's markup is its own file in views/ (first run and sign-in, then the signed-in views in the
// navigation's order); they are put into <main> before any module looks for its elements.
const VIEW_FILES = ['setup', 'enrol', 'recovery', 'facility', 'wizard-client', 'login', 'second', 'dashboard', 'settings',
  'users', 'audit', 'logs', 'home-reception', 'plugins', 'channels', 'receipt-setup', 'readers', 'certificates', 'backup',
  'firmware', 'system', 'password', 'pair'];

async function loadViews() {
  const texts = await Promise.all(VIEW_FILES.map(async (name) => {
    const reply = await fetch(`/admin/views/${name}.html`, { credentials: 'same-origin' });
    if (!reply.ok) throw new Error(`view ${name}: ${reply.status}`);
    return reply.text();
  }));
  // Parsed as a document of its own (scripts in it would not run) and moved in node by node.
  for (const text of texts) {
    const parsed = new DOMParser().parseFromString(text, 'text/html');
    $('main').append(...[...parsed.body.childNodes].map((node) => document.adoptNode(node)));
  }
}

async function decide() {
  const setup = await api.get('/admin/api/setup');
  if (setup.needed) {
    await loadRoutes();
    auth.startSetup();
    return;
  }
  let me;
  try {
    me = await api.get('/admin/api/me', { signingIn: true });
  } catch (error) {
    if (error.status === 401) {
      auth.showLogin();
      return;
    }
    throw error;
  }
  if (me.secondFactorPassed) await enterApp();
  else if (me.user && !me.user.totpEnabled) await auth.startEnrol();
  else auth.showSecond();
}

async function boot() {
  await loadViews();
  restart = createRestart(ctx);
  await switchLanguage(preferredLanguage());
  page.views = {
    dashboard: createDashboard(ctx),
    settings: createSettings(ctx),
    users: createUsers(ctx),
    audit: createAudit(ctx),
    logs: createLogs(ctx),
    'home-reception': createHomeReception(ctx),
    plugins: createPlugins(ctx),
    channels: createChannels(ctx),
    'receipt-setup': createReceiptSetup(ctx),
    readers: createReaders(ctx),
    certificates: createCertificates(ctx),
    backup: createBackup(ctx),
    firmware: createFirmware(ctx),
    system: createSystem(ctx),
    password: createPassword(ctx),
    pair: createPair(ctx),
  };
  api.onSignedOut(() => signedOut('admin.login.expired'));
  auth.wire();
  for (const b of document.querySelectorAll('[data-lang]')) b.addEventListener('click', () => switchLanguage(b.dataset.lang));
  $('nav-toggle').addEventListener('click', () => openMenu(!$('nav').classList.contains('open')));
  $('sign-out').addEventListener('click', signOut);
  window.addEventListener('hashchange', route);
  await decide();
}

// The one text not from i18n: the text tables themselves could not be loaded.
boot().catch(() => {
  $('notice').hidden = false;
  $('notice').textContent = '管理画面を開始できませんでした。再読み込みしてください / The admin pages could not start. Reload the page.';
});
