// The web admin's backup (web-admin/admin/backup.js) in the browser: differing and short passphrases
// refused and the sealed backup downloaded; the configuration exported as JSON and imported back (nothing
// changes); the backup restored (a wrong passphrase first) with its contents shown, and the restart asked
// for, after which the old facility name is back. auth.mjs brings a wiped box back from the same backup.

import fs from 'node:fs';
import path from 'node:path';
import {
  askPython, check, shotBoth, step,
} from '../browser_kit.mjs';
import {
  ADMIN, BACKUP_PASSPHRASE, FACILITY_RENAMED, config, openView, signIn, text, visible, waitForText,
} from './fixture.mjs';

export async function backupAndRestore(fx) {
  const { page, authenticator } = fx;
  const backupFile = path.join(config.markers, 'backup.khbk');
  await step('backup: differing and short passphrases refused; the sealed backup downloads', async () => {
    await openView(page, 'backup');
    check(await page.locator('#backup-unavailable').isHidden(), 'the backup view says the API is missing');
    await page.fill('#backup-passphrase', 'one-passphrase-here');
    await page.fill('#backup-passphrase2', 'another-passphrase');
    await page.click('#backup-form button[type="submit"]');
    await waitForText(page, '#backup-error', '一致しません');
    await page.fill('#backup-passphrase', 'short-pass');
    await page.fill('#backup-passphrase2', 'short-pass');
    await page.click('#backup-form button[type="submit"]');
    await waitForText(page, '#backup-error', '12文字以上');
    await page.fill('#backup-passphrase', BACKUP_PASSPHRASE);
    await page.fill('#backup-passphrase2', BACKUP_PASSPHRASE);
    await page.check('#backup-cache');
    const [download] = await Promise.all([page.waitForEvent('download'), page.click('#backup-form button[type="submit"]')]);
    await download.saveAs(backupFile);
    check(/^kakehashi-backup-\d{8}-\d{6}\.khbk$/.test(download.suggestedFilename()), `backup file name ${download.suggestedFilename()}`);
    check(fs.readFileSync(backupFile).subarray(0, 6).toString() === 'KKHBK1', 'the download is not a sealed backup');
    await waitForText(page, '#backup-info', 'ダウンロードしました');
    check(await page.inputValue('#backup-passphrase') === '', 'the passphrase stays in the form');
  });

  await step('configuration: exported as JSON and imported back (nothing changes)', async () => {
    const file = path.join(config.markers, 'config.json');
    const [download] = await Promise.all([page.waitForEvent('download'), page.click('#config-export')]);
    await download.saveAs(file);
    const exported = JSON.parse(fs.readFileSync(file, 'utf8'));
    check(exported.format === 'kakehashi-config-1', `format ${exported.format}`);
    check(exported.settings['facility.name'] === FACILITY_RENAMED, 'the export lacks facility.name');
    await page.setInputFiles('#config-import-file', file);
    await page.click('#config-import-form button[type="submit"]');
    await waitForText(page, '#backup-info', '変更 0 件');
  });

  await step('restore: a wrong passphrase refused; staged with its contents; the restart brings the old name back', async () => {
    await openView(page, 'settings');
    const row = '#settings-rows tr[data-key="facility.name"]';
    await page.click(`${row} button[data-action="edit"]`);
    await page.fill('#settings-edit-value', '一時的な名称');
    await page.click('#settings-edit-form button[type="submit"]');
    await waitForText(page, `${row} td.value`, '一時的な名称');
    await openView(page, 'backup');
    await page.setInputFiles('#restore-file', backupFile);
    await page.fill('#restore-passphrase', 'not-the-passphrase-2026');
    await page.click('#restore-form button[type="submit"]');
    await waitForText(page, '#backup-error', 'バックアップを開けません');
    await page.setInputFiles('#restore-file', backupFile);
    await page.fill('#restore-passphrase', BACKUP_PASSPHRASE);
    await page.click('#restore-form button[type="submit"]');
    await visible(page, '#restore-staged');
    const facts = await text(page, '#restore-contents');
    check(facts.includes('ユーザー') && facts.includes('設定'), `staged contents: ${facts}`);
    await shotBoth(page, '26-backup-staged');
    const reloaded = page.waitForEvent('load', { timeout: 120000 });
    await page.click('#restart');
    await waitForText(page, '#backup-info', '再起動しています');
    const { exitCode } = await askPython('restart', 90000);
    check(exitCode === 75, `the gateway exited with ${exitCode} for its restart`);
    await reloaded;  // the page reloads by itself once the appliance answers again
    await page.waitForFunction(() => ['view-login', 'nav'].some((id) => document.getElementById(id) && !document.getElementById(id).hidden));
    if (await page.locator('#view-login').isVisible()) {
      await signIn(page, ADMIN);
      await visible(page, '#view-second');
      await page.fill('#second-code', await authenticator.next());
      await page.click('#second-form button[type="submit"]');
      await visible(page, '#view-backup');  // back where the administrator was
    }
    await openView(page, 'settings');
    await waitForText(page, `${row} td.value`, FACILITY_RENAMED);
  });
  fx.backupFile = backupFile;  // for the wiped box (auth.mjs)
}
