// The web admin's frame (web-admin/admin/app.js) in the browser: the menu folding into a menu button at
// 768 px; the language switch (English texts, no key left untranslated, and back); nothing kept in the
// browser but the chosen language.

import {
  check, checkConsole, checkNoMissingTexts, DESKTOP, shot, step, TABLET,
} from '../browser_kit.mjs';
import {
  EXPECTED_CONSOLE, TEXTS, openView, text, visible, waitForText,
} from './fixture.mjs';

// The menu on a tablet, looked at on the dashboard; the left navigation back at 1280 px.
export async function menu(fx) {
  const { page } = fx;
  await step('the menu folds at 768 px', async () => {
    await openView(page, 'dashboard');
    await page.setViewportSize(TABLET);
    check(await page.locator('#nav').isHidden(), 'the navigation does not fold at 768 px');
    check(await page.locator('#nav-toggle').isVisible(), 'no menu button at 768 px');
    await page.click('#nav-toggle');
    await visible(page, '#nav a[data-view="settings"]');
    await shot(page, '08-dashboard-menu-768x1024');
    await page.click('#nav-toggle');
    await page.setViewportSize(DESKTOP);
    check(await page.locator('#nav').isVisible() && await page.locator('#nav-toggle').isHidden(), 'the left navigation is not back at 1280 px');
  });
}

// Switched on the audit view audit.mjs leaves with its broken verdict, whose title must change language too.
export async function english(fx) {
  const { page, tables } = fx;
  await step('the language switch: English texts, no key left untranslated', async () => {
    await page.click('button[data-lang="en"]');
    await waitForText(page, '#audit-verdict-title', 'Tampering detected');
    check(await page.locator('html').getAttribute('lang') === 'en', 'html lang is not en');
    check((await text(page, '#nav a[data-view="dashboard"]')) === tables.en['admin.nav.dashboard'], 'the menu did not change');
    await checkNoMissingTexts(page, TEXTS);
    await shot(page, '22-audit-en-1280x800');
    await openView(page, 'dashboard');
    await page.locator('#dash-requests[data-value]').waitFor();
    await waitForText(page, '#dash-link', tables.en['admin.dash.linkState.up']);
    await checkNoMissingTexts(page, TEXTS);
    await shot(page, '23-dashboard-en-1280x800');
    await page.click('button[data-lang="ja"]');
    await waitForText(page, '#dash-link', '正常');
  });
}

// Last: what the page keeps in the browser, and its console over the whole run.
export async function storage(fx) {
  await step('nothing stored but the language; no console errors but the expected 4xx answers', async () => {
    const stored = await fx.page.evaluate(() => ({ session: Object.keys(sessionStorage), local: Object.keys(localStorage) }));
    check(!stored.session.length && stored.local.every((k) => k === 'kakehashi.lang'), `storage holds ${JSON.stringify(stored)}`);
    checkConsole(fx.seen, EXPECTED_CONSOLE);
  });
}
