// Card readers, read only: whether the PC/SC service answers, each reader and its card. Card checks
// themselves happen on the staff page (/staff on the LAN API port, another address than this admin).

import * as api from './api.js';
import { t } from '/i18n/texts.js';
import { $, el, showProblem } from './ui.js';

export function createReaders() {
  let data = null;
  let off = false;

  function cardText(r) {
    if (r.mute) return t('admin.readers.mute');
    if (r.inUse) return t('admin.readers.inUse');
    return r.cardPresent ? t('admin.readers.present') : t('admin.readers.absent');
  }

  function render() {
    $('readers-off').hidden = !off;
    const service = $('readers-service');
    service.hidden = off || !data;
    if (data) {
      service.textContent = data.serviceUp ? t('admin.readers.serviceUp') : t('admin.readers.serviceDown', { problem: data.problem || '' });
      service.dataset.state = data.serviceUp ? 'ok' : 'bad';
    }
    const readers = !off && data ? data.readers || [] : [];
    $('readers-rows').replaceChildren(...readers.map((r) => el('tr', { attrs: { 'data-reader': r.name } },
      el('th', { attrs: { scope: 'row' }, cls: 'wrap', text: r.name }),
      el('td', {}, el('span', { cls: `badge ${r.cardPresent && !r.mute ? 'badge-ok' : 'badge-plain'}`, text: cardText(r) })))));
    $('readers-empty').hidden = off || !data || readers.length > 0;
    $('readers-table').hidden = readers.length === 0;
  }

  async function load() {
    try {
      data = await api.get('/admin/api/readers');
      off = false;
      showProblem($('readers-error'), null);
    } catch (error) {
      data = null;
      off = error.status === 404;  // the route exists only when card readers are turned on
      showProblem($('readers-error'), off ? null : error);
    }
    render();
  }

  $('readers-refresh').addEventListener('click', load);

  return { enter: load, leave() {}, render };
}
