// Small helpers shared by the views: elements made with textContent only, problem messages, the QR code
// as an image, file reading and downloads.

import { currentLanguage, has, t } from '/i18n/texts.js';

export const $ = (id) => document.getElementById(id);

// el('td', {text: 'x', cls: 'num', attrs: {'data-id': 1}}, child, …)
export function el(tag, options = {}, ...children) {
  const node = document.createElement(tag);
  if (options.cls) node.className = options.cls;
  if (options.text !== undefined && options.text !== null) node.textContent = String(options.text);
  for (const [name, value] of Object.entries(options.attrs || {})) {
    if (value !== undefined && value !== null && value !== false) node.setAttribute(name, value === true ? '' : String(value));
  }
  for (const child of children) if (child) node.append(child);
  return node;
}

// The title and detail to show for a failed call: the appliance's Japanese title (its own text in
// English when the table has one for the problem), and its detail as sent.
export function problemText(error) {
  if (!error || error.status === undefined) return { title: t('admin.error.unexpected'), detail: '' };
  if (error.status === 0) return { title: t('admin.error.offline'), detail: '' };
  const problem = error.problem || {};
  const key = `admin.problem.${error.kind}`;
  let title = problem.title || t('admin.error.status', { status: error.status });
  if (currentLanguage() !== 'ja' && has(key)) title = t(key);
  return { title, detail: problem.detail || '' };
}

// Shows a problem in an .alert box (a title line and a detail line); hides it for null.
export function showProblem(box, error) {
  if (!error) {
    box.hidden = true;
    box.replaceChildren();
    return;
  }
  const { title, detail } = problemText(error);
  box.replaceChildren(el('span', { cls: 'alert-title', text: title }));
  if (detail) box.append(el('span', { cls: 'alert-detail', text: detail }));
  box.hidden = false;
}

export function showText(box, text) {
  box.textContent = text || '';
  box.hidden = !text;
}

// The QR code (an SVG document made by the appliance) as an <img> with a data: URL: the image is drawn,
// never parsed into the page, so nothing in it can run.
export function showSvgImage(img, svg) {
  if (!svg || !svg.trimStart().startsWith('<svg')) {
    img.removeAttribute('src');
    img.hidden = true;
    return;
  }
  img.src = `data:image/svg+xml;charset=utf-8,${encodeURIComponent(svg)}`;
  img.hidden = false;
}

// "2026-11-30T09:05:07+09:00" → "2026-11-30 09:05:07" (the appliance sends Japan time)
export function formatTime(iso) {
  if (!iso) return '';
  const m = /^(\d{4}-\d{2}-\d{2})T(\d{2}:\d{2}:\d{2})/.exec(iso);
  return m ? `${m[1]} ${m[2]}` : iso;
}

export function clockOf(iso) {
  const m = /T(\d{2}:\d{2}:\d{2})/.exec(iso || '');
  return m ? m[1] : '';
}

const JAPAN_CLOCK = new Intl.DateTimeFormat('en-CA', {
  timeZone: 'Asia/Tokyo', year: 'numeric', month: '2-digit', day: '2-digit',
  hour: '2-digit', minute: '2-digit', second: '2-digit', hourCycle: 'h23',
});

// Any ISO time ("2026-11-29T15:59:05.123Z", as the log writes it in UTC) → "2026-11-30 00:59:05.123"
// in Japan time, whatever the browser's time zone; what cannot be read is shown as it came.
export function japanTime(iso) {
  const date = new Date(iso);
  if (!iso || Number.isNaN(date.getTime())) return iso || '';
  const parts = Object.fromEntries(JAPAN_CLOCK.formatToParts(date).map((p) => [p.type, p.value]));
  const millis = /T[\d:]+\.(\d{3})/.exec(iso);
  return `${parts.year}-${parts.month}-${parts.day} ${parts.hour}:${parts.minute}:${parts.second}${millis ? `.${millis[1]}` : ''}`;
}

// Today in Japan as YYYYMMDD, for file names.
export function japanStamp() {
  const parts = new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Tokyo', year: 'numeric', month: '2-digit', day: '2-digit' })
    .formatToParts(new Date());
  const part = (type) => parts.find((p) => p.type === type).value;
  return `${part('year')}${part('month')}${part('day')}`;
}

export function readFileBase64(file) {
  return file.arrayBuffer().then((buffer) => {
    const bytes = new Uint8Array(buffer);
    let binary = '';
    for (let i = 0; i < bytes.length; i += 0x8000) binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
    return btoa(binary);
  });
}

export function readFileText(file) {
  return file.text();
}

// Offers `blob` as a file download through a short-lived object URL.
export function download(blob, fileName) {
  const url = URL.createObjectURL(blob);
  const a = el('a', { attrs: { href: url, download: fileName } });
  a.hidden = true;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 30000);
}

// The file name a Content-Disposition header offers, or `fallback`.
export function fileNameOf(response, fallback) {
  const header = response.headers.get('Content-Disposition') || '';
  const m = /filename="?([^";]+)"?/.exec(header);
  return m ? m[1] : fallback;
}

// A button that asks for a second press (within 5 s) before it acts: for changes that cannot be undone
// from this page. `armedText` is what it says while waiting for the second press.
export function confirmingButton(button, armedText, act) {
  let armed = null;
  const normalText = button.textContent;
  button.addEventListener('click', () => {
    if (!armed) {
      button.textContent = armedText;
      button.classList.add('armed');
      armed = setTimeout(() => {
        armed = null;
        button.textContent = normalText;
        button.classList.remove('armed');
      }, 5000);
      return;
    }
    clearTimeout(armed);
    armed = null;
    button.classList.remove('armed');
    button.textContent = normalText;
    act();
  });
  return button;
}

// Disables a form's controls while `work` runs, so nothing is sent twice.
export async function busy(form, work) {
  const controls = [...form.querySelectorAll('button, input, select, textarea')].filter((c) => !c.disabled);
  for (const c of controls) c.disabled = true;
  form.setAttribute('aria-busy', 'true');
  try {
    return await work();
  } finally {
    for (const c of controls) c.disabled = false;
    form.removeAttribute('aria-busy');
  }
}

// The days a certificate has left, coloured by the appliance's warning step: 60, 30 or 7 days, -1 expired.
export function expiryBadge(daysLeft, warning) {
  const expired = warning === -1 || (typeof daysLeft === 'number' && daysLeft < 0);
  const step = expired ? 'expired' : [60, 30, 7].includes(warning) ? String(warning) : 'ok';
  const text = expired ? t('admin.cert.expired') : t('admin.cert.days', { days: daysLeft });
  return el('span', { cls: `expiry expiry-${step}`, text, attrs: { 'data-warning': String(warning) } });
}

export function dateOf(iso) {
  return formatTime(iso).slice(0, 10);
}
