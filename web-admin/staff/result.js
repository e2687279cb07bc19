// The qualification (資格情報) a verified card check answers, as a list of labelled fields. Every value
// goes in with textContent: nothing from the answer is ever parsed as HTML.

import { has, t } from '/i18n/texts.js';

function date(value) {
  const m = /^(\d{4})(\d{2})(\d{2})$/.exec(value || '');
  if (!m) return value;
  return t('format.date', { y: m[1], m: Number(m[2]), d: Number(m[3]), mm: m[2], dd: m[3] });
}

// Japan time, as the central system writes it (YYYYMMDDhhmmss) or as the appliance does (ISO 8601)
function dateTime(value) {
  const spec = /^(\d{8})(\d{2})(\d{2})\d{2}$/.exec(value || '');
  if (spec) return `${date(spec[1])} ${spec[2]}:${spec[3]}`;
  const when = new Date(value);
  if (Number.isNaN(when.getTime())) return value;
  const parts = new Intl.DateTimeFormat('en-GB', {
    timeZone: 'Asia/Tokyo', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', hourCycle: 'h23',
  }).formatToParts(when);
  const part = (type) => parts.find((p) => p.type === type).value;
  return `${date(part('year') + part('month') + part('day'))} ${part('hour')}:${part('minute')}`;
}

function coded(prefix) {
  return (value) => (has(`${prefix}.${value}`) ? t(`${prefix}.${value}`) : value);
}

// 負担割合 as the spec writes it ("030" = 3割 = 30 %)
function ratio(value) {
  const n = Number(value);
  if (!/^\d{1,3}$/.test(value || '') || Number.isNaN(n)) return value;
  return t('format.ratio', { percent: n, tenths: n / 10 });
}

const ELIGIBILITY_FIELDS = [
  ['name', 'result.name'],
  ['nameKana', 'result.nameKana'],
  ['birthDate', 'result.birthDate', date],
  ['sex', 'result.sex', coded('sex')],
  ['insurerNumber', 'result.insurerNumber'],
  ['insurerName', 'result.insurerName'],
  ['cardSymbol', 'result.cardSymbol'],
  ['cardNumber', 'result.cardNumber'],
  ['branchNumber', 'result.branchNumber'],
  ['personalFamilyClassification', 'result.personalFamily', coded('personalFamily')],
  ['burdenRatio', 'result.burdenRatio', ratio],
  ['qualificationDate', 'result.qualificationDate', date],
  ['disqualificationDate', 'result.disqualificationDate', date],
  ['cardExpirationDate', 'result.cardExpirationDate', date],
];

function row(list, labelKey, value, field) {
  if (value === undefined || value === null || value === '') return;
  const dt = document.createElement('dt');
  dt.textContent = t(labelKey);
  const dd = document.createElement('dd');
  dd.textContent = String(value);
  if (field) dd.dataset.field = field;
  list.append(dt, dd);
}

export function clearResult() {
  document.getElementById('result-fields').replaceChildren();
  document.getElementById('result-status').textContent = '';
}

export function renderResult(check) {
  const answer = check.answer || {};
  const status = answer.status || 'unknown';
  const statusEl = document.getElementById('result-status');
  statusEl.textContent = has(`status.${status}`) ? t(`status.${status}`) : status;
  statusEl.dataset.status = status;
  const list = document.getElementById('result-fields');
  list.replaceChildren();
  const e = answer.eligibility || {};
  for (const [key, label, format] of ELIGIBILITY_FIELDS) {
    const value = e[key];
    row(list, label, value && format ? format(value) : value, key);
  }
  const elderly = e.elderlyRecipientCertificate;
  if (elderly) row(list, 'result.elderlyRatio', ratio(elderly.contributionRatio), 'elderlyRatio');
  const limit = e.limitCertificate;
  if (limit) row(list, 'result.limitClassification', limit.classification, 'limitClassification');
  const processing = answer.processingResult || {};
  if (status === 'error') row(list, 'result.processingMessage', processing.message || processing.code, 'processing');
  row(list, 'result.confirmedAt', answer.confirmedAt ? dateTime(answer.confirmedAt) : '', 'confirmedAt');
  row(list, 'result.verifiedAt', check.verifiedAt ? dateTime(check.verifiedAt) : '', 'verifiedAt');
  row(list, 'result.method', t(check.mode === 'visual' ? 'mode.visual' : 'mode.pin'), 'method');
  row(list, 'result.staffId', check.staffId, 'staffId');
  row(list, 'result.consent', check.consentId ? t('result.consentRegistered') : '', 'consent');
  if (answer.stale) row(list, 'result.source', t('result.stale'), 'stale');
}
