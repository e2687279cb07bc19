// Adapter plugins: each with its version, state (enabled, disabled, refused) and, when refused, why; the
// channels it serves; enable, disable and reload (read again from disk, signature checked); and, for a
// plugin whose schema declares settings, 設定: the form made from that schema (plugin-settings.js).

import * as api from './api.js';
import { t, tOr } from '/i18n/texts.js';
import { createPluginSettings } from './plugin-settings.js';
import { $, el, showProblem, showText } from './ui.js';

const SETTINGS_ROUTE = '/admin/api/plugins/{id}/settings';

export function createPlugins(ctx) {
  let plugins = [];
  let withSettings = new Set();  // ids whose schema declares at least one property
  const form = createPluginSettings({ changed: () => load(false) });

  // The plugin list does not say which plugins have settings: each one's settings view is asked for
  // (a built-in adapter answers with an empty schema, or not at all).
  async function findSettings() {
    if (!ctx.hasRoute('GET', SETTINGS_ROUTE)) {
      withSettings = new Set();
      return;
    }
    const found = await Promise.all(plugins.map((p) => api.get(`/admin/api/plugins/${api.segment(p.id)}/settings`).then(
      (view) => Object.keys((view.schema && view.schema.properties) || {}).length > 0, () => false)));
    withSettings = new Set(plugins.filter((_, i) => found[i]).map((p) => p.id));
  }

  function channelText(c) {
    return [c.type, c.route || c.folder].filter(Boolean).join(': ');
  }

  async function act(plugin, verb, button) {
    showProblem($('plugins-error'), null);
    showText($('plugins-info'), '');
    button.disabled = true;
    try {
      ({ plugins } = await api.post(`/admin/api/plugins/${api.segment(plugin.id)}/${verb}`));
    } catch (error) {
      showProblem($('plugins-error'), error);
      await load(false);
      return;
    }
    const done = {
      enable: () => t('admin.plugins.enabledDone', { id: plugin.id }),
      disable: () => t('admin.plugins.disabledDone', { id: plugin.id }),
      reload: () => t('admin.plugins.reloadedDone', { id: plugin.id }),
    };
    if (verb === 'reload') await findSettings();  // read again from disk: its schema may have changed
    showText($('plugins-info'), done[verb]());
    render();
  }

  function actions(p) {
    const cell = el('td', { cls: 'actions' });
    const buttons = [];
    if (p.state !== 'enabled') buttons.push(['enable', t('admin.plugins.enable')]);
    if (p.state === 'enabled') buttons.push(['disable', t('admin.plugins.disable')]);
    buttons.push(['reload', t('admin.plugins.reload')]);
    for (const [verb, text] of buttons) {
      const b = el('button', { cls: 'quiet small', text, attrs: { type: 'button', 'data-action': verb } });
      b.addEventListener('click', () => act(p, verb, b));
      cell.append(b);
    }
    if (withSettings.has(p.id)) {
      const b = el('button', { cls: 'quiet small', text: t('admin.plugins.settings'),
        attrs: { type: 'button', 'data-action': 'settings', 'aria-controls': 'plugin-settings' } });
      b.addEventListener('click', () => form.open(p.id));
      cell.append(b);
    }
    return cell;
  }

  function render() {
    $('plugins-rows').replaceChildren(...plugins.map((p) => el('tr', { attrs: { 'data-plugin': p.id, 'data-state': p.state } },
      el('th', { attrs: { scope: 'row' } }, el('code', { text: p.id })),
      el('td', { text: p.version }),
      el('td', {},
        el('span', { cls: `badge state-${p.state}`, text: tOr(`admin.plugins.state.${p.state}`, p.state) }),
        p.problem ? el('span', { cls: 'problem-line', text: p.problem }) : null),
      el('td', { cls: 'wrap', text: (p.channels || []).map(channelText).join(', ') }),
      actions(p))));
    $('plugins-empty').hidden = plugins.length > 0;
    form.render();
  }

  async function load(clear = true) {
    try {
      ({ plugins } = await api.get('/admin/api/plugins'));
      await findSettings();
      if (clear) showProblem($('plugins-error'), null);
    } catch (error) {
      showProblem($('plugins-error'), error);
    }
    render();
  }

  $('plugins-refresh').addEventListener('click', () => {
    showText($('plugins-info'), '');
    load();
  });

  return {
    enter() {
      showText($('plugins-info'), '');
      load();
    },
    leave() {
      form.close();  // nothing typed into the form (a secret above all) stays in the page
    },
    render,
  };
}
