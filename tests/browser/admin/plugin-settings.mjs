// The web admin's plugin settings form (web-admin/admin/plugin-settings.js) in the browser: json-webhook's
// form made from its schema (the URL shown, the secret token never: an empty password field marked 設定済み;
// a URL against the pattern stopped by the browser and, sent anyway, refused by the appliance naming
// callbackUrl; a new URL saved with the token kept, then a new token saved and gone from the page), and a
// schema with every type of the subset (answered in place of the appliance) made into its inputs and sent
// back typed.

const PLUGIN_SECRET_NEW = 'webhook-secret-NEW-9876543210';  // json-webhook's token as the page replaces it

import {
  check, checkNoMissingTexts, shotBoth,
} from '../browser_kit.mjs';
import {
  TEXTS, answerOf, config, independentStep, text, visible, waitForText,
} from './fixture.mjs';

export async function pluginSettings(fx) {
  const { page } = fx;
  await independentStep(page, 'plugin settings: json-webhook\'s form from its schema; a wrong URL refused; the secret kept, replaced, never shown', async () => {
    const sent = [];  // the bodies of the settings form's PUTs, as the browser sent them
    const record = (r) => {
      if (r.method() === 'PUT' && r.url().includes('/admin/api/plugins/')) sent.push(JSON.parse(r.postData() || '{}'));
    };
    page.on('request', record);
    try {
      await jsonWebhookForm(page, sent);
    } finally {
      page.off('request', record);
    }
  });

  await independentStep(page, 'plugin settings: every type of the schema subset gets its input, and is sent back typed', async () => {
    await everyType(page);
  });
}


// A schema with every type and keyword of the subset, answered for fixed-width in place of the appliance
// (no bundled plugin declares numbers, switches, lists or groups): what the form makes of it, and the PUT.
const EVERY_TYPE = {
  type: 'object',
  required: ['host', 'retries'],
  properties: {
    host: { type: 'string', title: '接続先ホスト', description: 'レセコンのホスト名です。', maxLength: 40, default: 'rececon.local' },
    retries: { type: 'integer', title: '再試行の回数', minimum: 0, maximum: 5 },
    ratio: { type: 'number', title: '比率', default: 0.5 },
    verbose: { type: 'boolean', title: '詳しく記録する', default: true },
    level: { type: 'integer', title: '段階', enum: [1, 2, 3] },
    folders: { type: 'array', title: '監視するフォルダー', default: ['in', 'in2'] },
    apiKey: { type: 'string', title: 'APIキー', secret: true, minLength: 8 },
    proxy: { type: 'object', title: 'プロキシ', properties: { url: { type: 'string', title: 'プロキシのURL' }, port: { type: 'integer', maximum: 65535 } } },
  },
};

async function everyType(page) {
  const base = '/admin/api/plugins/fixed-width/settings';
  const puts = [];
  await page.route(`${config.url}${base}`, async (route) => {
    const request = route.request();
    let values = { host: 'rececon-1', retries: 2, verbose: false, proxy: { url: 'https://proxy.example:3128' } };
    if (request.method() === 'PUT') {
      ({ values } = JSON.parse(request.postData()));
      puts.push(values);
    }
    await route.fulfill({ status: 200, contentType: 'application/json',
      body: JSON.stringify({ id: 'fixed-width', schema: EVERY_TYPE, values, secretsSet: [] }) });
  });
  try {
    const at = (name) => `#plugin-settings [data-setting="${name}"]`;
    const attrs = (name) => page.locator(at(name)).evaluate((c) => ({
      tag: c.tagName.toLowerCase(), type: c.type, value: c.value, checked: c.checked, required: c.required,
      step: c.getAttribute('step'), min: c.getAttribute('min'), max: c.getAttribute('max'), placeholder: c.placeholder,
      maxlength: c.getAttribute('maxlength'), minlength: c.getAttribute('minlength'),
      help: (c.getAttribute('aria-describedby') || '').split(' ').filter(Boolean).map((id) => document.getElementById(id).textContent),
      options: c.options ? [...c.options].map((o) => o.textContent) : null }));
    await page.click('#plugins-rows tr[data-plugin="fixed-width"] button[data-action="settings"]');
    await visible(page, at('proxy.port'));
    const host = await attrs('host');
    check(host.type === 'text' && host.value === 'rececon-1' && host.required && host.maxlength === '40'
      && host.placeholder === 'rececon.local' && host.help.includes('レセコンのホスト名です。'), `host ${JSON.stringify(host)}`);
    const retries = await attrs('retries');
    check(retries.type === 'number' && retries.step === '1' && retries.min === '0' && retries.max === '5' && retries.value === '2'
      && retries.required, `retries ${JSON.stringify(retries)}`);
    const ratio = await attrs('ratio');
    check(ratio.type === 'number' && ratio.step === 'any' && ratio.value === '' && ratio.placeholder === '0.5', `ratio ${JSON.stringify(ratio)}`);
    const verbose = await attrs('verbose');
    check(verbose.type === 'checkbox' && !verbose.checked, `verbose ${JSON.stringify(verbose)} (false, its default true)`);
    const level = await attrs('level');
    check(level.tag === 'select' && JSON.stringify(level.options) === '["（未設定）","1","2","3"]' && level.value === '', `level ${JSON.stringify(level)}`);
    const folders = await attrs('folders');
    check(folders.tag === 'textarea' && folders.placeholder === 'in\nin2' && folders.help.some((h) => h.includes('1 行に 1 つ')),
      `folders ${JSON.stringify(folders)}`);
    const apiKey = await attrs('apiKey');
    check(apiKey.type === 'password' && apiKey.value === '' && !apiKey.required && apiKey.minlength === '8'
      && apiKey.help.includes('未設定'), `apiKey ${JSON.stringify(apiKey)}`);
    check((await text(page, '#plugin-settings fieldset[data-setting="proxy"] legend')).includes('プロキシ'), 'the group has no legend');
    check(await page.inputValue(at('proxy.url')) === 'https://proxy.example:3128', 'the group\'s value is not shown');
    check((await text(page, `label[for="${await page.getAttribute(at('retries'), 'id')}"]`)).includes('必須'), 'retries is not marked required');
    await checkNoMissingTexts(page, TEXTS);

    await page.fill(at('retries'), '3');
    await page.check(at('verbose'));
    await page.selectOption(at('level'), { label: '2' });
    await page.fill(at('folders'), 'in\n\n  out  ');
    await page.fill(at('proxy.port'), '8080');
    await shotBoth(page, '16-plugin-settings-types');
    await page.click('#plugin-settings-form button[type="submit"]');
    await waitForText(page, '#plugin-settings-info', '設定を保存しました');
    const expected = { host: 'rececon-1', retries: 3, verbose: true, level: 2, folders: ['in', 'out'],
      proxy: { url: 'https://proxy.example:3128', port: 8080 } };
    check(JSON.stringify(puts.at(-1)) === JSON.stringify(expected), `sent ${JSON.stringify(puts.at(-1))}`);
    check((await attrs('level')).value === '1' && (await attrs('verbose')).checked, 'the saved values are not shown again');
    await page.click('#plugin-settings-close');
  } finally {
    await page.unroute(`${config.url}${base}`);
  }
}

// No secret anywhere in the page: not in its markup, not in any field's value.
async function checkNoSecret(page, secrets) {
  const html = await page.content();
  const values = await page.evaluate(() => [...document.querySelectorAll('input, textarea, select')].map((c) => c.value).join('\n'));
  for (const secret of secrets) check(!html.includes(secret) && !values.includes(secret), 'a secret setting is in the page');
}

async function jsonWebhookForm(page, sent) {
  const row = '#plugins-rows tr[data-plugin="json-webhook"]';
  const url = '#plugin-settings [data-setting="callbackUrl"]';
  const token = '#plugin-settings [data-setting="callbackToken"]';
  const secrets = [config.pluginSecret, PLUGIN_SECRET_NEW];
  await visible(page, `${row}[data-state="enabled"] button[data-action="settings"]`);
  await page.click(`${row} button[data-action="settings"]`);
  await visible(page, '#plugin-settings');
  check((await text(page, '#plugin-settings-title')).includes('json-webhook'), 'the form does not name the plugin');
  check(await page.inputValue(url) === 'https://chart.example/hook', `the URL shown is "${await page.inputValue(url)}"`);
  const urlLabel = await text(page, `label[for="${await page.getAttribute(url, 'id')}"]`);
  check(urlLabel.includes('結果の送信先URL') && urlLabel.includes('必須'), `the URL's label "${urlLabel}"`);
  check(await page.getAttribute(url, 'required') !== null && (await page.getAttribute(url, 'pattern') || '').includes('https?://'),
    'the URL lacks its required and pattern constraints');
  check(await page.getAttribute(token, 'type') === 'password' && await page.inputValue(token) === '', 'the token field is not an empty password field');
  check(await page.getAttribute(token, 'minlength') === '16' && await page.getAttribute(token, 'required') === null,
    'the token field\'s constraints are wrong');
  await waitForText(page, '#plugin-settings .secret-state', '設定済み（変更する場合のみ入力）');
  await checkNoSecret(page, secrets);
  await checkNoMissingTexts(page, TEXTS);
  await shotBoth(page, '16-plugin-settings');

  // A URL the schema's pattern refuses: the browser stops it; sent anyway, the appliance names the setting.
  await page.fill(url, 'ftp://chart.example/hook');
  await page.click('#plugin-settings-form button[type="submit"]');
  check(await page.locator(url).evaluate((c) => c.validity.patternMismatch), 'the browser does not check the pattern');
  await page.waitForTimeout(300);
  check(sent.length === 0, 'a URL against the pattern was sent');
  await page.locator('#plugin-settings-form').evaluate((form) => { form.noValidate = true; });  // as a browser without the check
  let res = await answerOf(page, '/admin/api/plugins/json-webhook/settings', () => page.click('#plugin-settings-form button[type="submit"]'));
  check(res.status() === 422, `a wrong URL answered ${res.status()}`);
  await waitForText(page, '#plugin-settings-error', 'settings.callbackUrl');
  check(await page.getAttribute(url, 'aria-invalid') === 'true', 'the refused field is not marked');
  await shotBoth(page, '16-plugin-settings-refused');
  await page.locator('#plugin-settings-form').evaluate((form) => { form.noValidate = false; });

  // A new URL with the token field left empty: the token is not sent and stays set.
  await page.fill(url, 'https://chart.example/v2/hook');
  res = await answerOf(page, '/admin/api/plugins/json-webhook/settings', () => page.click('#plugin-settings-form button[type="submit"]'));
  check(res.status() === 200, `saving a new URL answered ${res.status()}`);
  check(JSON.stringify(Object.keys(sent.at(-1).values)) === '["callbackUrl"]', `sent ${JSON.stringify(Object.keys(sent.at(-1).values))}`);
  await waitForText(page, '#plugin-settings-info', '設定を保存しました');
  check(await page.locator('#plugin-settings-error').isHidden(), 'the refusal stays on screen');
  check(await page.inputValue(url) === 'https://chart.example/v2/hook', 'the saved URL is not shown');
  await waitForText(page, '#plugin-settings .secret-state', '設定済み');
  await visible(page, `${row}[data-state="enabled"]`);

  // A new token: sent once, then gone from the field and the page; still 設定済み.
  await page.fill(token, PLUGIN_SECRET_NEW);
  res = await answerOf(page, '/admin/api/plugins/json-webhook/settings', () => page.click('#plugin-settings-form button[type="submit"]'));
  check(res.status() === 200, `saving a new token answered ${res.status()}`);
  check(sent.at(-1).values.callbackToken === PLUGIN_SECRET_NEW, 'the new token was not sent');
  await waitForText(page, '#plugin-settings-info', '設定を保存しました');
  check(await page.inputValue(token) === '', 'the token stays in its field after saving');
  await waitForText(page, '#plugin-settings .secret-state', '設定済み');
  await checkNoSecret(page, secrets);
  await page.click('#plugin-settings-close');
  check(await page.locator('#plugin-settings').isHidden(), 'the form does not close');
  check(await page.locator('#plugin-settings-fields > *').count() === 0, 'the closed form keeps its fields');
}
