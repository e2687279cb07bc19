// The box's own log (auditors and administrators): the newest lines the appliance keeps, newest first,
// filtered by level (that level and above), event prefix and free text; the time in Japan time, the
// level coloured, the other fields as key=value. Read again by the refresh button, and every 10 s while
// the auto-refresh is on and the view is on screen. The log never holds patient data (the appliance's rule).

import * as api from './api.js';
import { t, tOr } from '/i18n/texts.js';
import { $, el, japanTime, showProblem } from './ui.js';

const LEVELS = ['debug', 'info', 'warn', 'error'];
const AUTO_MILLIS = 10000;
const OWN_FIELDS = new Set(['ts', 'level', 'event']);

export function createLogs() {
  let lines = [];
  let loadedAt = '';     // ISO time of the last answer
  let applied = '';      // the query of the last filter submitted
  let timer = null;
  let active = false;
  let loading = false;
  const events = new Set();  // events and their prefixes seen so far, offered in the event field

  function query() {
    const q = new URLSearchParams();
    q.set('level', $('logs-level').value);
    const event = $('logs-event').value.trim();
    const text = $('logs-q').value.trim();
    if (event) q.set('event', event);
    if (text) q.set('q', text);
    return q.toString();
  }

  function fieldText(value) {
    return typeof value === 'string' ? value : JSON.stringify(value);
  }

  function fieldsCell(line) {
    const pairs = Object.entries(line).filter(([key]) => !OWN_FIELDS.has(key));
    return el('td', { cls: 'wrap' }, ...pairs.map(([key, value]) => el('span', { cls: 'kv' },
      el('span', { cls: 'kv-key', text: key }), el('span', { cls: 'kv-eq', text: '=' }), el('span', { text: fieldText(value) }))));
  }

  function row(line) {
    const level = LEVELS.includes(line.level) ? line.level : 'other';
    return el('tr', { cls: `log-${level}`, attrs: { 'data-level': line.level, 'data-event': line.event } },
      el('td', { cls: 'nowrap', text: japanTime(line.ts), attrs: { 'data-ts': line.ts } }),
      el('td', {}, el('span', { cls: `level level-${level}`, text: tOr(`admin.logs.level.${line.level}`, line.level) })),
      el('td', {}, el('code', { cls: 'event', text: line.event })),
      fieldsCell(line));
  }

  function remember() {
    for (const line of lines) {
      const event = String(line.event || '');
      if (!event) continue;
      events.add(event);
      const dot = event.indexOf('.');
      if (dot > 0) events.add(event.slice(0, dot + 1));
    }
    $('logs-events').replaceChildren(...[...events].sort().slice(0, 300).map((e) => el('option', { attrs: { value: e } })));
  }

  function render() {
    $('logs-rows').replaceChildren(...lines.map(row));
    $('logs-empty').hidden = lines.length > 0 || !loadedAt;
    $('logs-count').textContent = loadedAt ? t('admin.logs.count', { count: lines.length, time: japanTime(loadedAt).slice(11, 19) }) : '';
    remember();
  }

  async function load() {
    if (loading) return;
    loading = true;
    try {
      ({ lines } = await api.get(`/admin/api/logs?${applied}`));
      loadedAt = new Date().toISOString();
      showProblem($('logs-error'), null);
    } catch (error) {
      showProblem($('logs-error'), error);
    } finally {
      loading = false;
    }
    if (active) render();
  }

  function schedule() {
    clearInterval(timer);
    timer = null;
    if (active && $('logs-auto').checked) timer = setInterval(load, AUTO_MILLIS);
  }

  $('logs-filter').addEventListener('submit', (e) => {
    e.preventDefault();
    applied = query();
    load();
  });
  $('logs-filter').addEventListener('reset', () => setTimeout(() => {
    applied = query();
    load();
  }, 0));
  $('logs-refresh').addEventListener('click', load);
  $('logs-auto').addEventListener('change', () => {
    schedule();
    if ($('logs-auto').checked) load();
  });

  return {
    enter() {
      active = true;
      applied = query();
      load();
      schedule();
    },
    leave() {
      active = false;
      schedule();
    },
    render,
  };
}
