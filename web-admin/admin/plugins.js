// Adapter plugins: each with its version, state (enabled, disabled, refused) and, when refused, why; the
// channels it serves; enable, disable and reload (read again from disk, signature checked).

import * as api from './api.js';
import { t, tOr } from './i18n.js';
import { $, el, showProblem, showText } from './ui.js';

export function createPlugins() {
  let plugins = [];

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
  }

  async function load(clear = true) {
    try {
      ({ plugins } = await api.get('/admin/api/plugins'));
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
    leave() {},
    render,
  };
}
