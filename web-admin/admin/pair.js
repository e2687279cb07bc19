// The HA pair (docs/ha.md): which box runs reception, each box's state, the data copy between them (DRBD),
// the last takeover and why — read only, as the cluster's root helper last wrote it (GET /admin/api/pair) —
// and two requests for administrators: move reception to the other box, and put this box in standby for
// maintenance (a box in standby can be brought back). The view and its menu entry are hidden on a box that
// is not in a pair.

import * as api from './api.js';
import { t, tOr } from '/i18n/texts.js';
import { $, confirmingButton, el, japanTime, showProblem, showText } from './ui.js';

const BASE = '/admin/api/pair';
const POLL_MILLIS = 5000;

// A node's state in words: stopped (or unreachable) first, then standby, then running the services.
function nodeState(node) {
  if (!node.online) return 'offline';
  if (node.standby) return 'standby';
  return node.active ? 'active' : 'ready';
}

function drbdText(drbd) {
  if (!drbd || !drbd.known) return t('admin.pair.drbd.unknown');
  if (!drbd.connected) return t('admin.pair.drbd.disconnected');
  if (drbd.inSync) return t('admin.pair.drbd.inSync');
  if (typeof drbd.syncDonePercent === 'number') return t('admin.pair.drbd.syncing', { percent: drbd.syncDonePercent });
  return t('admin.pair.drbd.notInSync');
}

// Hides the menu entry when the box is not in a pair (or the appliance has no pair routes).
export async function showPairInMenu(ctx) {
  const link = document.querySelector('#nav a[data-view="pair"]');
  if (!link) return;
  let inPair = false;
  if (ctx.hasRoute('GET', BASE)) {
    try {
      inPair = (await api.get(BASE)).inPair === true;
    } catch {
      inPair = false;
    }
  }
  link.parentElement.hidden = !inPair || !ctx.can(link.dataset.permission);
}

export function createPair(ctx) {
  let data = null;
  let timer = null;
  let active = false;

  function render() {
    if (!data) return;
    $('pair-none').hidden = data.inPair;
    $('pair-content').hidden = !data.inPair;
    if (!data.inPair) return;
    renderSummary();
    renderNodes();
    renderTakeover();
    renderRequest();
  }

  function renderSummary() {
    const facts = $('pair-facts');
    const ready = data.standbyReady;
    facts.replaceChildren(
      el('dt', { text: t('admin.pair.activeNode') }), el('dd', { text: data.activeNode || t('admin.pair.noActive') }),
      el('dt', { text: t('admin.pair.thisNode') }), el('dd', { text: data.thisNode }),
      el('dt', { text: t('admin.pair.drbd') }), el('dd', { text: drbdText(data.drbd) }),
      el('dt', { text: t('admin.pair.standbyReady') }),
      el('dd', { cls: ready ? '' : 'warning', text: t(ready ? 'admin.pair.standbyReady.yes' : 'admin.pair.standbyReady.no') }),
      el('dt', { text: t('admin.pair.updatedAt') }), el('dd', { text: japanTime(data.updatedAt) }),
    );
  }

  function renderNodes() {
    const rows = data.nodes.map((node) => {
      const state = nodeState(node);
      const name = node.thisNode ? t('admin.pair.thisBox', { name: node.name }) : node.name;
      const actions = el('td');
      if (ctx.can('manage-settings') && node.standby && node.online) {
        actions.append(confirmingButton(el('button', { cls: 'quiet', text: t('admin.pair.online'), attrs: { type: 'button' } }),
          t('admin.pair.confirm'), () => ask('online', node.name)));
      }
      return el('tr', { attrs: { 'data-node': node.name, 'data-state': state } },
        el('td', { text: name }), el('td', { cls: state === 'active' || state === 'ready' ? '' : 'warning', text: t(`admin.pair.state.${state}`) }), actions);
    });
    $('pair-nodes').replaceChildren(...rows);
    const manage = ctx.can('manage-settings');
    const peer = data.nodes.find((n) => !n.thisNode);
    $('pair-actions').hidden = !manage;
    $('pair-move').disabled = !data.standbyReady || !peer;
    $('pair-standby').disabled = !data.standbyReady;
  }

  function renderTakeover() {
    const last = data.lastTakeover;
    $('pair-takeover').hidden = !last;
    if (!last) return;
    $('pair-takeover-text').textContent = t('admin.pair.takeover.line', { at: japanTime(last.at), from: last.from, to: last.to });
    $('pair-takeover-reason').textContent = tOr(`admin.pair.reason.${last.reason}`, t('admin.pair.reason.unknown'));
    const failures = (data.failures || []).map((f) => el('li', { text: t('admin.pair.failure', { resource: f.resource, node: f.node, at: f.at }) }));
    $('pair-failures').replaceChildren(...failures);
    $('pair-failures').hidden = failures.length === 0;
  }

  function renderRequest() {
    const r = data.request;
    showText($('pair-request'), r && r.id ? t(`admin.pair.request.${r.state === 'failed' ? 'failed' : 'taken'}`, {
      action: t(`admin.pair.action.${r.action}`), node: r.node, at: japanTime(r.at) }) : '');
  }

  async function load() {
    try {
      data = await api.get(BASE);
      showProblem($('pair-error'), null);
    } catch (error) {
      showProblem($('pair-error'), error);
    }
    render();
  }

  async function ask(action, node) {
    try {
      data = await api.post(`${BASE}/requests`, { action, node });
      showProblem($('pair-error'), null);
      render();
    } catch (error) {
      showProblem($('pair-error'), error);
    }
  }

  function wire() {
    $('pair-refresh').addEventListener('click', load);
    confirmingButton($('pair-move'), t('admin.pair.confirm'), () => {
      const peer = data && data.nodes.find((n) => !n.thisNode);
      if (peer) ask('move', peer.name);
    });
    confirmingButton($('pair-standby'), t('admin.pair.confirm'), () => ask('standby', data.thisNode));
  }

  let wired = false;
  return {
    enter() {
      if (!wired) {
        wire();
        wired = true;
      }
      active = true;
      load();
      timer = setInterval(() => active && load(), POLL_MILLIS);
    },
    leave() {
      active = false;
      clearInterval(timer);
      timer = null;
    },
    render,
  };
}
