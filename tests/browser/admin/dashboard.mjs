// The web admin's dashboard (web-admin/admin/dashboard.js) in the browser: the link, the queue, the cache,
// the requests of the day and the certificates' days left; requestsToday moving by itself, without a
// reload, after two inquiries the Python side makes (one answered live, one from the cache: 50 %).

import {
  askPython, check, shotBoth, step,
} from '../browser_kit.mjs';
import {
  openView, text, waitForText,
} from './fixture.mjs';

export async function dashboard(fx) {
  const { page, seen } = fx;
  await step('the dashboard: link, queue, cache, requests, certificates', async () => {
    await openView(page, 'dashboard');
    await page.locator('#dash-requests[data-value]').waitFor();
    // The link's state comes from a real exchange or the probe: 正常 with when it last worked.
    await waitForText(page, '#dash-link', '正常');
    check((await text(page, '#dash-link-success')).startsWith('最後に通信できた時刻'), 'no last success time on the link tile');
    check(await page.locator('#dash-link-failure').isHidden(), 'a failure shows while the link works');
    const certs = await page.locator('#dash-certs tr').count();
    check(certs >= 2, `${certs} certificates on the dashboard`);
    const badge = page.locator('#dash-certs tr[data-name="upstream-client"] .expiry');
    check(/残り \d+ 日/.test(await badge.innerText()), 'the client certificate\'s days left are not shown');
    await shotBoth(page, '08-dashboard');
  });

  await step('the dashboard counts two new inquiries by itself within 10 s, without a reload', async () => {
    const before = Number(await page.getAttribute('#dash-requests', 'data-value'));
    const navigations = seen.navigations;
    const asked = await askPython('inquiries');
    check(asked.count === 2, `the test made ${asked.count} inquiries`);
    const started = Date.now();
    await page.waitForFunction((want) => Number(document.getElementById('dash-requests').dataset.value) === want,
      before + 2, { timeout: 10500, polling: 200 });
    console.log(`     requestsToday ${before} → ${before + 2} after ${Date.now() - started} ms`);
    check(seen.navigations === navigations, 'the page was reloaded');
    check((await text(page, '#dash-hitrate')) === '50%', `hit rate "${await text(page, '#dash-hitrate')}" after one live answer and one from the cache`);
    await shotBoth(page, '09-dashboard-after-requests');
  });
}
