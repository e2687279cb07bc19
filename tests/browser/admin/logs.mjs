// The web admin's log viewer (web-admin/admin/logs.js) in the browser: newest first in Japan time; the level
// warn, the event prefix admin. and a search text narrowing the rows; the 10-s auto-refresh.

import {
  check, checkNoMissingTexts, shotBoth,
} from '../browser_kit.mjs';
import {
  TEXTS, independentStep, openView, text, visible,
} from './fixture.mjs';

// "2026-11-29T15:59:05.123Z" → "2026-11-30 00:59:05.123": what the page must show, computed here.
function inJapan(utc) {
  const shifted = new Date(new Date(utc).getTime() + 9 * 3600 * 1000).toISOString();
  return `${shifted.slice(0, 10)} ${shifted.slice(11, 23)}`;
}

const logRows = (page) => page.locator('#logs-rows tr').evaluateAll((trs) => trs.map((tr) => ({
  level: tr.dataset.level, event: tr.dataset.event, ts: tr.cells[0].dataset.ts, shown: tr.cells[0].textContent,
  badge: tr.cells[1].firstElementChild.className, fields: tr.cells[3].textContent,
})));

export async function logs(fx) {
  const { page } = fx;
  await independentStep(page, 'logs: newest first in Japan time; level warn and the event prefix admin. narrow the rows', async () => {
    await openView(page, 'logs');
    await visible(page, '#logs-rows tr');
    const all = await logRows(page);
    check(all.length >= 5, `${all.length} log lines`);
    check(all.every((r, i) => i === 0 || r.ts <= all[i - 1].ts), 'the lines are not newest first');
    const wrongTime = all.find((r) => r.shown !== inJapan(r.ts));
    check(!wrongTime, `a time not in Japan time: ${JSON.stringify(wrongTime)}`);
    check(all.some((r) => r.level === 'info') && all.some((r) => r.level === 'warn'), 'no info and warn lines to filter');
    check(all.every((r) => r.badge === `level level-${r.level}`), 'a level is not coloured by its class');
    const code = all.find((r) => r.event === 'admin.setup_code');
    check(code && /\bcode=[A-Z0-9-]+/.test(code.fields) && code.fields.includes('url=https://'), 'the other fields are not shown as key=value');
    check(/^\d+ 行/.test(await text(page, '#logs-count')), `count line "${await text(page, '#logs-count')}"`);
    await checkNoMissingTexts(page, TEXTS);
    await shotBoth(page, '19-logs');

    await page.selectOption('#logs-level', 'warn');
    await page.click('#logs-filter button[type="submit"]');
    await page.waitForFunction((n) => {
      const rows = [...document.querySelectorAll('#logs-rows tr')];
      return rows.length > 0 && rows.length < n && rows.every((tr) => ['warn', 'error'].includes(tr.dataset.level));
    }, all.length);
    const warn = await logRows(page);
    check(warn.length === all.filter((r) => r.level === 'warn' || r.level === 'error').length, 'warn and above: not the same lines');

    await page.fill('#logs-event', 'admin.');
    await page.click('#logs-filter button[type="submit"]');
    await page.waitForFunction(() => [...document.querySelectorAll('#logs-rows tr')].every((tr) => tr.dataset.event.startsWith('admin.')));
    const adminWarn = await logRows(page);
    check(adminWarn.length > 0 && adminWarn.length <= warn.length, `admin. and warn: ${adminWarn.length} of ${warn.length}`);
    check(adminWarn.every((r) => r.level !== 'info'), 'info lines under warn');

    await page.selectOption('#logs-level', 'debug');
    await page.click('#logs-filter button[type="submit"]');
    await page.waitForFunction((n) => document.querySelectorAll('#logs-rows tr').length > n, adminWarn.length);
    const admin = await logRows(page);
    check(admin.every((r) => r.event.startsWith('admin.')) && admin.some((r) => r.level === 'info'), 'admin. at every level');
    check(admin.length < all.length, 'the event prefix does not narrow the lines');
    await page.fill('#logs-q', 'setup_code');
    await page.click('#logs-filter button[type="submit"]');
    await page.waitForFunction(() => document.querySelectorAll('#logs-rows tr').length === 1);
    await page.fill('#logs-q', 'no-such-text-here');
    await page.click('#logs-filter button[type="submit"]');
    await visible(page, '#logs-empty');
    await page.fill('#logs-q', '');
    await page.fill('#logs-event', 'admin.');
    await page.selectOption('#logs-level', 'warn');
    await page.click('#logs-filter button[type="submit"]');
    await page.waitForFunction((n) => document.querySelectorAll('#logs-rows tr').length === n, adminWarn.length);
    await shotBoth(page, '19-logs-filtered');
    await page.click('#logs-filter button[type="reset"]');
    await page.waitForFunction((n) => document.querySelectorAll('#logs-rows tr').length >= n, all.length);
  });

  await independentStep(page, 'logs: the auto-refresh reads the log again every 10 s', async () => {
    const isLogs = (r) => r.url().includes('/admin/api/logs?') && r.request().method() === 'GET';
    await Promise.all([page.waitForResponse(isLogs, { timeout: 3000 }), page.check('#logs-auto')]);
    const started = Date.now();
    await page.waitForResponse(isLogs, { timeout: 12500 });
    const after = Date.now() - started;
    check(after > 9000, `read again after ${after} ms, expected 10 s`);
    await page.uncheck('#logs-auto');
  });
}
