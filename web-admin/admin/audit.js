// The audit log (auditors and administrators): newest rows first with filters (action, actor, free text),
// the check of the keyed chain and its checkpoints ("改ざん検査") shown prominently with the first broken
// row and every problem found (in the page's language; the appliance sends each in Japanese and English),
// and the CSV export as a plain link (a GET: the cookie goes with it, no CSRF token needed).

import * as api from './api.js';
import { currentLanguage, has, keysWithPrefix, t, tOr } from '/i18n/texts.js';
import { $, el, formatTime, showProblem } from './ui.js';

export function createAudit() {
  let entries = [];
  let verdict = null;    // {intact, firstBrokenRow?, problems: [{row?, ja, en}], rowsChecked}
  const ACTION = `admin.auditAction.`;  // the prefix of every action's text key

  function query() {
    const q = new URLSearchParams();
    const action = $('audit-action').value;
    const actor = $('audit-actor').value.trim();
    const text = $('audit-q').value.trim();
    if (action) q.set('action', action);
    if (actor) q.set('actor', actor);
    if (text) q.set('q', text);
    q.set('limit', $('audit-limit').value);
    return q.toString();
  }

  function renderVerdict() {
    const box = $('audit-verdict');
    box.hidden = !verdict;
    if (!verdict) return;
    box.dataset.state = verdict.intact ? 'intact' : 'broken';
    const row = verdict.firstBrokenRow;
    const [title, text] = verdict.intact ? ['admin.audit.intact', 'admin.audit.intactText']
      : row !== undefined ? ['admin.audit.broken', 'admin.audit.brokenText']
        : ['admin.audit.brokenNoRow', 'admin.audit.brokenNoRowText'];
    $('audit-verdict-title').textContent = t(title, { row });
    $('audit-verdict-text').textContent = t(text, { row, rows: verdict.rowsChecked ?? 0 });
    const lang = currentLanguage() === 'en' ? 'en' : 'ja';
    const problems = verdict.problems || [];
    $('audit-verdict-problems').replaceChildren(...problems.map((p) => el('li', { text: p[lang] })));
    $('audit-verdict-problems').hidden = problems.length === 0;
  }

  // What a row is about, in words: "user:3" is user number 3, "setting:facility.name" the setting's own
  // name, "certificate:central-ca" the certificate's; the stored form stays beside it for searching.
  function subjectText(subject) {
    const colon = subject.indexOf(':');
    if (colon < 0) return tOr(`admin.audit.subject.${subject}`, subject);
    const [kind, rest] = [subject.slice(0, colon), subject.slice(colon + 1)];
    if (kind === 'user') return t('admin.audit.subject.user', { id: rest });
    if (kind === 'setting' && has(`admin.setting.${rest}`)) return t('admin.audit.subject.setting', { name: t(`admin.setting.${rest}`) });
    if (kind === 'certificate' && has(`admin.cert.name.${rest}`)) return t(`admin.cert.name.${rest}`);
    if (kind === 'change') return t('admin.audit.subject.change');
    return subject;
  }

  // The action filter: every action the tables name, by its words, "all" first.
  function renderActionChoices() {
    const select = $('audit-action');
    const chosen = select.value;
    const choices = keysWithPrefix(ACTION).map((k) => ({ value: k.slice(ACTION.length), label: t(k) }))
      .sort((a, b) => a.label.localeCompare(b.label, 'ja'));
    select.replaceChildren(el('option', { text: t('admin.audit.allActions'), attrs: { value: '' } }),
      ...choices.map((c) => el('option', { text: c.label, attrs: { value: c.value } })));
    select.value = chosen;
  }

  function render() {
    const broken = verdict && !verdict.intact ? verdict.firstBrokenRow : null;
    $('audit-rows').replaceChildren(...entries.map((e) => el('tr', { cls: e.id === broken ? 'broken-row' : '', attrs: { 'data-id': e.id } },
      el('td', { cls: 'num', text: e.id }),
      el('td', { cls: 'nowrap', text: formatTime(e.at) }),
      el('td', { text: e.actor }),
      el('td', {}, el('span', { text: tOr(`${ACTION}${e.action}`, e.action) }), el('code', { cls: 'key', text: e.action })),
      el('td', { cls: 'wrap' }, el('span', { text: subjectText(e.subject) }),
        subjectText(e.subject) === e.subject ? null : el('code', { cls: 'key', text: e.subject })),
      el('td', { cls: 'wrap', text: e.detail }))));
    $('audit-empty').hidden = entries.length > 0;
    renderActionChoices();
    renderVerdict();
  }

  async function load() {
    const q = query();
    $('audit-export').href = `/admin/api/audit/export.csv?${q}`;
    try {
      ({ entries } = await api.get(`/admin/api/audit?${q}`));
      showProblem($('audit-error'), null);
    } catch (error) {
      showProblem($('audit-error'), error);
    }
    render();
  }

  async function verify() {
    const button = $('audit-verify');
    button.disabled = true;
    showProblem($('audit-error'), null);
    try {
      verdict = await api.get('/admin/api/audit/verify');
    } catch (error) {
      verdict = null;
      showProblem($('audit-error'), error);
    } finally {
      button.disabled = false;
    }
    renderVerdict();
    await load();  // the check itself is a new row
    const row = verdict && !verdict.intact ? $('audit-rows').querySelector(`tr[data-id="${verdict.firstBrokenRow}"]`) : null;
    if (row) row.scrollIntoView({ block: 'center' });
  }

  $('audit-filter').addEventListener('submit', (e) => {
    e.preventDefault();
    load();
  });
  $('audit-filter').addEventListener('reset', () => setTimeout(load, 0));
  $('audit-verify').addEventListener('click', verify);
  $('audit-refresh').addEventListener('click', load);

  return {
    enter() {
      verdict = null;
      load();
    },
    leave() {},
    render,
  };
}
