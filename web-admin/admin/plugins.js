// Adapter plugins in the order they are used: each with its name and description (from its manifest),
// id, version, state (enabled, disabled, refused; an unsigned one running in development mode says so)
// and, when refused, why; the channels it serves; enable and disable (the appliance keeps the order, so
// both last across a restart), move up and down among the enabled ones, reload (read again from disk,
// signature checked); and, for a plugin whose schema declares settings, 設定: the form made from that
// schema (plugin-settings.js).

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

  function nameOf(p) {
    return p.name || p.id;
  }

  async function act(plugin, verb, button, body) {
    showProblem($('plugins-error'), null);
    showText($('plugins-info'), '');
    button.disabled = true;
    try {
      ({ plugins } = await api.post(`/admin/api/plugins/${api.segment(plugin.id)}/${verb}`, body));
    } catch (error) {
      showProblem($('plugins-error'), error);
      await load(false);
      return;
    }
    const done = {
      enable: () => t('admin.plugins.enabledDone', { id: nameOf(plugin) }),
      disable: () => t('admin.plugins.disabledDone', { id: nameOf(plugin) }),
      reload: () => t('admin.plugins.reloadedDone', { id: nameOf(plugin) }),
      move: () => t('admin.plugins.movedDone', { name: nameOf(plugin) }),
    };
    if (verb === 'reload') await findSettings();  // read again from disk: its schema may have changed
    showText($('plugins-info'), done[verb]());
    render();
  }

  // The enabled plugins in their order (built-in adapters have no place in it).
  function ordered() {
    return plugins.filter((p) => p.state === 'enabled' && !p.builtIn);
  }

  function moveButtons(p) {
    const order = ordered();
    const at = order.findIndex((x) => x.id === p.id);
    if (at < 0 || order.length < 2) return [];
    const up = el('button', { cls: 'quiet small', text: t('admin.plugins.moveUp'),
      attrs: { type: 'button', 'data-action': 'up', 'aria-label': t('admin.plugins.moveUpLabel', { name: nameOf(p) }) } });
    const down = el('button', { cls: 'quiet small', text: t('admin.plugins.moveDown'),
      attrs: { type: 'button', 'data-action': 'down', 'aria-label': t('admin.plugins.moveDownLabel', { name: nameOf(p) }) } });
    up.disabled = at === 0;
    down.disabled = at === order.length - 1;
    up.addEventListener('click', () => act(p, 'move', up, { direction: 'up' }));
    down.addEventListener('click', () => act(p, 'move', down, { direction: 'down' }));
    return [up, down];
  }

  function actions(p) {
    const cell = el('td', { cls: 'actions' }, ...moveButtons(p));
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

  function stateCell(p) {
    const unsigned = p.state === 'enabled' && p.unsigned;
    const badge = unsigned
      ? el('span', { cls: 'badge badge-warn state-unsigned', text: t('admin.plugins.unsigned'), attrs: { title: t('admin.plugins.unsignedHint') } })
      : el('span', { cls: `badge state-${p.state}`, text: tOr(`admin.plugins.state.${p.state}`, p.state) });
    return el('td', {}, badge,
      unsigned ? el('span', { cls: 'hint block', text: t('admin.plugins.unsignedHint') }) : null,
      p.problem ? el('span', { cls: 'problem-line', text: p.problem }) : null);
  }

  function positionCell(p) {
    if (p.builtIn) return el('td', {}, el('span', { cls: 'badge badge-plain', text: t('admin.plugins.builtIn') }));
    const at = ordered().findIndex((x) => x.id === p.id);
    return el('td', { cls: 'num', text: at < 0 ? '' : String(at + 1) });
  }

  function render() {
    $('plugins-rows').replaceChildren(...plugins.map((p) => el('tr', { attrs: { 'data-plugin': p.id, 'data-state': p.state } },
      positionCell(p),
      el('th', { attrs: { scope: 'row' } },
        el('span', { cls: 'plugin-name', text: nameOf(p) }),
        p.description ? el('span', { cls: 'hint block plugin-description', text: p.description }) : null,
        el('code', { cls: 'key', text: p.id })),
      el('td', { text: p.version }),
      stateCell(p),
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
