// The dashboard: the link to the central system, the queue, cache use, today's requests and errors, visits
// outside their consent window, card readers and certificate expiry. Asked again every 5 seconds while it
// is on screen (GET /admin/api/dashboard), so the numbers move without a reload.

import * as api from './api.js';
import { t, tOr } from '/i18n/texts.js';
import { $, clockOf, dateOf, el, expiryBadge, showProblem } from './ui.js';

const EVERY_MILLIS = 5000;

function number(id, value) {
  const node = $(id);
  node.textContent = Number(value || 0).toLocaleString('ja-JP');
  node.dataset.value = String(value || 0);
}

function tileState(id, state) {
  $(id).dataset.state = state;
}

export function createDashboard() {
  let data = null;
  let timer = null;
  let round = 0;

  function render() {
    if (!data) return;
    const cache = data.cache || {};
    const readers = data.cardReaders || {};
    renderLink(data.link || { state: 'unknown' });
    number('dash-queue', data.queueDepth);
    $('dash-hitrate').textContent = t('admin.dash.percent', { percent: cache.hitRatePercent || 0 });
    $('dash-cache').textContent = t('admin.dash.cacheDetail', { hits: cache.hits || 0, live: cache.live || 0, stale: cache.stale || 0 });
    number('dash-requests', data.requestsToday);
    number('dash-errors', data.errorsToday);
    tileState('tile-errors', data.errorsToday > 0 ? 'bad' : 'ok');
    number('dash-visits', data.visitsOutsideConsent);
    tileState('tile-visits', data.visitsOutsideConsent > 0 ? 'warn' : 'ok');
    $('dash-readers').textContent = t('admin.dash.readerCount', { count: readers.readers || 0 });
    $('dash-readers-service').textContent = readers.serviceUp ? t('admin.dash.serviceUp') : t('admin.dash.serviceDown');
    tileState('tile-readers', readers.serviceUp ? 'ok' : 'bad');
    $('dash-certs').replaceChildren(...(data.certificates || []).map((c) => el('tr', { attrs: { 'data-name': c.name } },
      el('th', { attrs: { scope: 'row' }, text: tOr(`admin.cert.name.${c.name}`, c.name) }),
      el('td', { cls: 'wrap', text: c.problem ? c.problem : c.subject }),
      el('td', { cls: 'nowrap', text: dateOf(c.notAfter) }),
      el('td', {}, c.problem ? null : expiryBadge(c.daysLeft, c.warning)))));
    const pending = data.setupPending || [];
    $('dash-setup').hidden = !pending.length;
    $('dash-setup-list').replaceChildren(...pending.map((p) => el('li', { text: p.problem })));
    $('dash-updated').textContent = t('admin.dash.updated', { time: clockOf(data.at) });
  }

  // The link's state from the last real exchange or probe, when it last worked, and why it last failed.
  function renderLink(link) {
    const terminal = link.profile === 'terminal';
    $('dash-link-label').textContent = t(terminal ? 'admin.dash.linkTerminal' : 'admin.dash.link');
    $('dash-link').textContent = t(`admin.dash.linkState.${link.state}`);
    tileState('tile-link', link.state === 'up' ? 'ok' : link.state === 'down' ? 'bad' : 'warn');
    $('dash-link-success').textContent = link.lastSuccessAt
      ? t('admin.dash.linkLastSuccess', { time: `${dateOf(link.lastSuccessAt)} ${clockOf(link.lastSuccessAt)}` })
      : t('admin.dash.linkNeverSucceeded');
    const failed = link.state === 'down' && link.lastFailure;
    $('dash-link-failure').hidden = !failed;
    $('dash-link-failure').textContent = failed
      ? t('admin.dash.linkLastFailure', { time: clockOf(link.lastFailureAt), reason: link.lastFailure }) : '';
  }

  async function tick(mine) {
    try {
      data = await api.get('/admin/api/dashboard');
      showProblem($('dash-error'), null);
      if (mine === round) render();
    } catch (error) {
      if (mine === round) showProblem($('dash-error'), error);
    }
    if (mine === round) timer = setTimeout(() => tick(mine), EVERY_MILLIS);
  }

  return {
    enter() {
      round += 1;
      clearTimeout(timer);
      tick(round);
    },
    leave() {
      round += 1;
      clearTimeout(timer);
    },
    render,
  };
}
