// The web admin (web-admin/admin/) in a real browser: playwright-core driving Debian's Chromium against a
// freshly started appliance whose admin listener is HTTPS with the box's self-signed certificate.
//
// One file a page module: admin/<module>.mjs tests web-admin/admin/<module>.js; admin/fixture.mjs holds what
// they share (the configuration, Chromium started once, the administrator's signed-in browser, the helpers).
// This runner takes them in the order below, one box through its life: auth.mjs's first-run wizard signs
// the administrator in, and every later page file gets the signed-in page; the box's state carries from one
// to the next (the wizard's API client is reissued in channels.mjs, settings.mjs's changes are what the audit
// log lists, backup.mjs's backup brings the wiped box back in auth.mjs). A page file's steps that do not
// depend on the others record their failure and let the run go on; the run fails at the end.
// No text missing, no console errors but the expected ones; screenshots of every main view at 1280×800 and
// at 768×1024.
//
// The Python side (tests/integration/test_admin_pages.py) answers requests through MARKER_DIR: the script
// writes <name>.request (JSON) and waits for <name>.done (JSON): "inquiries" (make two eligibility
// inquiries), "api-token", "api-token-revoked" and "api-token-reissued" ({tokens}: GET /api/v1/plugins with
// each; the answer is their statuses), "tamper" (alter one audit row; the answer names it), "sign-csr" (sign
// request.csr with the facility CA; the answer is the certificate's path), "restart" and "restore-restart"
// (wait for the gateway to exit for its restart and start it again, as systemd would; the answer is the exit
// code), "reset" (stop the gateway, delete its state and key folders, start it: the answer is the new setup
// code) and "short-window" (start the gateway again with admin.confirmSeconds 5).
//
// Environment: KAKEHASHI_ADMIN_URL (https://127.0.0.1:port), SETUP_CODE, SCREENSHOT_DIR, MARKER_DIR,
// CLIENT_P12 and CLIENT_P12_PASSPHRASE (a client certificate of 45 days), CLIENT_P12_ROLLBACK (another one,
// same passphrase), CENTRAL_CA (PEM), PLUGIN_SECRET (json-webhook's callbackToken as configured), optional
// CHROMIUM (default /usr/bin/chromium). Exit status 0 when every step passed; otherwise 1 with the failed step
// on stderr.

import { runScript } from './browser_kit.mjs';
import * as app from './admin/app.mjs';
import * as audit from './admin/audit.mjs';
import * as auth from './admin/auth.mjs';
import * as backup from './admin/backup.mjs';
import * as certificates from './admin/certificates.mjs';
import * as channels from './admin/channels.mjs';
import * as dashboard from './admin/dashboard.mjs';
import { withAdministrator } from './admin/fixture.mjs';
import * as homeReception from './admin/home-reception.mjs';
import * as logs from './admin/logs.mjs';
import * as pluginSettings from './admin/plugin-settings.mjs';
import * as plugins from './admin/plugins.mjs';
import * as readers from './admin/readers.mjs';
import * as receiptSetup from './admin/receipt-setup.mjs';
import * as settings from './admin/settings.mjs';
import * as system from './admin/system.mjs';
import * as users from './admin/users.mjs';

// In this order: each part gets the fixture (fx.page is the administrator's signed-in page once
// auth.firstRun has run).
const PARTS = [
  auth.firstRun,
  auth.signOutAndIn,
  dashboard.dashboard,
  app.menu,
  users.addOperator,
  users.lockout,
  settings.settings,
  homeReception.homeReception,
  plugins.plugins,
  pluginSettings.pluginSettings,
  readers.readers,
  channels.channels,
  receiptSetup.receiptSetup,
  system.system,
  logs.logs,
  audit.audit,
  app.english,            // on the audit view with its broken verdict
  certificates.certificates,
  backup.backupAndRestore,
  auth.restoreWipedBox,   // the Python side wipes the box; backup.mjs's backup brings it back
  certificates.rollBack,  // the gateway started again with a 5-s confirmation window
  auth.throttle,          // last but one: it slows down sign-ins from this machine
  app.storage,
];

runScript('web admin pages', () => withAdministrator(async (fx) => {
  for (const part of PARTS) await part(fx);
}));
