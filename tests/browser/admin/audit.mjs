// The web admin's audit log (web-admin/admin/audit.js) in the browser: 改ざん検査 finding the chain intact,
// the filter and the CSV export; then, after the Python side altered one row in the database, 改ざん検査
// naming that row.

import {
  askPython, check, shotBoth, step,
} from '../browser_kit.mjs';
import {
  config, openView, text, visible,
} from './fixture.mjs';

export async function audit(fx) {
  const { page } = fx;
  await step('audit: 改ざん検査 finds the chain intact; filter and CSV export', async () => {
    await openView(page, 'audit');
    await visible(page, '#audit-rows tr');
    await page.click('#audit-verify');
    await visible(page, '#audit-verdict[data-state="intact"]');
    check((await text(page, '#audit-verdict-title')) === '改ざんなし', `verdict "${await text(page, '#audit-verdict-title')}"`);
    await page.selectOption('#audit-action', 'admin.setting-changed');
    check((await page.locator('#audit-action option:checked').innerText()) === '設定の変更', 'the action is not chosen by its name');
    await page.click('#audit-filter button[type="submit"]');
    await page.waitForFunction(() => [...document.querySelectorAll('#audit-rows tr')].every((tr) => tr.textContent.includes('admin.setting-changed')));
    const count = await page.locator('#audit-rows tr').count();
    check(count >= 3, `${count} setting changes in the audit log, expected at least 3`);
    const href = await page.getAttribute('#audit-export', 'href');
    check(href.startsWith('/admin/api/audit/export.csv?') && href.includes('action=admin.setting-changed'), `CSV link ${href}`);
    const csv = await page.request.get(`${config.url}${href}`);
    const body = await csv.body();
    check(csv.status() === 200 && body.subarray(0, 3).equals(Buffer.from([0xef, 0xbb, 0xbf])), `the CSV answered ${csv.status()}`);
    check(body.toString('utf8').includes('admin.setting-changed'), 'the CSV lacks the filtered rows');
    await shotBoth(page, '20-audit-intact');
  });

  await step('audit: after a row is altered in the database, 改ざん検査 names it', async () => {
    const { row } = await askPython('tamper');
    await page.click('#audit-verify');
    await visible(page, '#audit-verdict[data-state="broken"]');
    const title = await text(page, '#audit-verdict-title');
    check(title.includes('改ざんを検出しました') && title.includes(`#${row}`), `verdict "${title}", expected row ${row}`);
    await visible(page, `#audit-rows tr.broken-row[data-id="${row}"]`);
    await shotBoth(page, '21-audit-broken');
  });
}
