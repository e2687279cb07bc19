// UI text for every page (the staff page and the web admin, served beside the tables at /i18n/): every
// string comes from /i18n/ja.json (first) or /i18n/en.json, looked up by key. Elements name their text
// with data-i18n (text), data-i18n-aria-label, data-i18n-placeholder and data-i18n-alt; code calls t()
// with the key. A page names its title's key on <html data-i18n-title="…">.

const LANGUAGES = ['ja', 'en'];
const PREFERENCE = 'kakehashi.lang';  // a UI preference only (localStorage); never patient data

let language = 'ja';
let table = {};

export function currentLanguage() {
  return language;
}

export function preferredLanguage() {
  try {
    const saved = localStorage.getItem(PREFERENCE);
    return LANGUAGES.includes(saved) ? saved : 'ja';
  } catch {
    return 'ja';
  }
}

export async function loadLanguage(lang) {
  const wanted = LANGUAGES.includes(lang) ? lang : 'ja';
  const res = await fetch(`/i18n/${wanted}.json`, { cache: 'no-cache', credentials: 'omit' });
  if (!res.ok) throw new Error(`i18n ${wanted}: HTTP ${res.status}`);
  table = await res.json();
  language = wanted;
  try {
    localStorage.setItem(PREFERENCE, wanted);
  } catch {
    // storage may be disabled: Japanese again on the next load
  }
  document.documentElement.lang = wanted;
}

// The text for `key` with {name} placeholders filled from `vars`; the key itself when it is missing, so a
// gap shows on screen and in the browser test's check.
export function t(key, vars = {}) {
  const text = Object.prototype.hasOwnProperty.call(table, key) ? table[key] : key;
  return text.replace(/\{(\w+)\}/g, (whole, name) => (name in vars ? String(vars[name]) : whole));
}

export function has(key) {
  return Object.prototype.hasOwnProperty.call(table, key);
}

// The keys that start with `prefix`, for a list of choices named in the tables (the audit's actions).
export function keysWithPrefix(prefix) {
  return Object.keys(table).filter((k) => k.startsWith(prefix));
}

// A text for a value from the appliance (a role, a state): its own key when the table has one, else the
// value as the appliance sent it.
export function tOr(key, fallback) {
  return has(key) ? t(key) : fallback;
}

export function applyTexts(root = document) {
  for (const el of root.querySelectorAll('[data-i18n]')) el.textContent = t(el.dataset.i18n);
  for (const el of root.querySelectorAll('[data-i18n-aria-label]')) el.setAttribute('aria-label', t(el.dataset.i18nAriaLabel));
  for (const el of root.querySelectorAll('[data-i18n-placeholder]')) el.placeholder = t(el.dataset.i18nPlaceholder);
  for (const el of root.querySelectorAll('[data-i18n-alt]')) el.alt = t(el.dataset.i18nAlt);
  document.title = t(document.documentElement.dataset.i18nTitle || 'app.title');
}
