// A plugin's settings form, made from the plugin's own schema: the JSON-Schema subset the appliance checks
// settings against (appliance/src/plugins/settings_schema.hpp). Each property's title is its label (else
// its name), its description the help line; required ones are marked; the input follows the type (text,
// number with min and max, a checkbox, a list for an enum, a text area one item a line for an array);
// pattern, minLength, maxLength, minimum and maximum become the browser's own constraints, and the
// appliance checks again — its message is shown next to the form. A default is the placeholder.
// A "secret" is a password field that is always empty: the appliance never sends its value, only whether
// it is set; left empty it is left out of the PUT (the appliance keeps the stored value), and the field is
// emptied after every answer. The plugin's titles come from its manifest as they are; the form's own
// texts from the text tables.

import * as api from './api.js';
import { t } from '/i18n/texts.js';
import { $, busy, el, showProblem, showText } from './ui.js';

let serial = 0;  // ids for the labels' `for`

// The appliance looks for the pattern anywhere in the value (std::regex_search); the browser matches the
// whole value against the attribute, so the attribute allows anything around it. Left off when the
// browser cannot compile it (the attribute is compiled with the v flag): the appliance still checks.
function htmlPattern(pattern) {
  if (typeof pattern !== 'string') return null;
  const anywhere = `[\\s\\S]*(?:${pattern})[\\s\\S]*`;
  try {
    RegExp(anywhere, 'v');
    return anywhere;
  } catch {
    return null;
  }
}

function kindOf(node) {
  if (node.secret === true) return 'secret';
  if (Array.isArray(node.enum)) return 'enum';
  if (node.type === 'object' || (node.properties && typeof node.properties === 'object')) return 'object';
  return ['boolean', 'integer', 'number', 'array'].includes(node.type) ? node.type : 'string';
}

function placeholderOf(node) {
  if (node.default === undefined || node.default === null) return null;
  if (Array.isArray(node.default)) return node.default.join('\n');
  return typeof node.default === 'object' ? JSON.stringify(node.default) : String(node.default);
}

const same = (a, b) => JSON.stringify(a) === JSON.stringify(b);

export function createPluginSettings({ changed }) {
  let view = null;   // the appliance's answer: {id, schema, values, secretsSet}
  let fields = [];   // the schema's top-level properties, each {name, kind, node, path, control | children}
  let controls = []; // every field with a control, nested ones included
  let texts = [];    // [element, key, vars]: the form's own texts, put again when the language changes

  function say(node, key, vars = {}) {
    texts.push([node, key, vars]);
    node.textContent = t(key, vars);
    return node;
  }

  function labelParts(name, node, required) {
    const title = typeof node.title === 'string' && node.title ? node.title : name;
    return [
      el('span', { cls: 'setting-name', text: title }),
      title !== name ? el('code', { cls: 'key', text: name }) : null,
      required ? say(el('span', { cls: 'required-mark' }), 'admin.pluginSettings.required') : null,
    ];
  }

  function textControl(kind, node, value, how) {
    const secret = kind === 'secret';
    const c = el('input', { attrs: {
      type: secret ? 'password' : 'text', autocomplete: secret ? 'new-password' : 'off', spellcheck: 'false',
      required: how.required && !(secret && how.set), minlength: node.minLength, maxlength: node.maxLength,
      pattern: htmlPattern(node.pattern), placeholder: secret ? null : placeholderOf(node) } });
    if (!secret && value !== undefined && value !== null) c.value = typeof value === 'string' ? value : JSON.stringify(value);
    return c;
  }

  function numberControl(kind, node, value, how) {
    const c = el('input', { attrs: {
      type: 'number', step: kind === 'integer' ? '1' : 'any', min: node.minimum, max: node.maximum,
      required: how.required, placeholder: placeholderOf(node) } });
    if (typeof value === 'number') c.value = String(value);
    return c;
  }

  function enumControl(node, value, how) {
    const empty = el('option', { attrs: { value: '' } });
    if (placeholderOf(node) !== null) say(empty, 'admin.pluginSettings.defaultOption', { value: placeholderOf(node) });
    else say(empty, 'admin.pluginSettings.noValue');
    const c = el('select', { attrs: { required: how.required } }, empty,
      ...node.enum.map((v, i) => el('option', { text: typeof v === 'string' ? v : JSON.stringify(v), attrs: { value: String(i) } })));
    const chosen = node.enum.findIndex((v) => same(v, value));
    c.value = chosen >= 0 ? String(chosen) : '';
    return c;
  }

  function controlFor(kind, node, value, how) {
    if (kind === 'boolean') {
      const c = el('input', { attrs: { type: 'checkbox' } });
      c.checked = Boolean(value === undefined ? node.default : value);
      return c;
    }
    if (kind === 'enum') return enumControl(node, value, how);
    if (kind === 'integer' || kind === 'number') return numberControl(kind, node, value, how);
    if (kind === 'array') {
      const c = el('textarea', { attrs: { rows: 4, spellcheck: 'false', required: how.required, placeholder: placeholderOf(node) } });
      if (Array.isArray(value)) c.value = value.map((v) => (typeof v === 'string' ? v : JSON.stringify(v))).join('\n');
      return c;
    }
    return textControl(kind, node, value, how);
  }

  // The lines under a control: the description, whether a secret is set, how a list is typed.
  function helpLines(kind, node, how, id) {
    const lines = [];
    if (typeof node.description === 'string' && node.description) lines.push(el('p', { cls: 'hint', text: node.description }));
    if (kind === 'secret') {
      const state = el('p', { cls: 'hint secret-state', attrs: { 'data-set': how.set } });
      lines.push(say(state, how.set ? 'admin.pluginSettings.secretSet' : 'admin.pluginSettings.secretUnset'));
    }
    if (kind === 'array') lines.push(say(el('p', { cls: 'hint' }), 'admin.pluginSettings.onePerLine'));
    lines.forEach((line, i) => { line.id = `${id}-help-${i}`; });
    return lines;
  }

  function property(name, node, value, how, grid) {
    const kind = kindOf(node);
    const field = { name, node, kind, path: how.path, required: how.required };
    if (kind === 'object') {
      const inner = el('div', { cls: 'schema-fields' });
      grid.append(el('fieldset', { cls: 'schema-group', attrs: { 'data-setting': how.path } },
        el('legend', {}, ...labelParts(name, node, how.required)),
        typeof node.description === 'string' && node.description ? el('p', { cls: 'hint', text: node.description }) : null,
        inner));
      // The appliance keeps only top-level secrets it is not sent; a nested one is never shown either.
      field.children = properties(node, value && typeof value === 'object' ? value : {}, new Set(), `${how.path}.`, inner);
      return field;
    }
    const id = `plugin-setting-${++serial}`;
    field.control = controlFor(kind, node, value, how);
    field.control.id = id;
    field.control.dataset.setting = how.path;
    const help = helpLines(kind, node, how, id);
    if (help.length) field.control.setAttribute('aria-describedby', help.map((h) => h.id).join(' '));
    grid.append(el('label', { attrs: { for: id } }, ...labelParts(name, node, how.required)), field.control, ...help);
    controls.push(field);
    return field;
  }

  function properties(node, values, secretsSet, prefix, grid) {
    const required = new Set(Array.isArray(node.required) ? node.required : []);
    const declared = node.properties && typeof node.properties === 'object' ? node.properties : {};
    return Object.entries(declared).filter(([, p]) => p && typeof p === 'object').map(([name, p]) => property(name, p,
      values[name], { required: required.has(name), set: secretsSet.has(name), path: `${prefix}${name}` }, grid));
  }

  // What a field holds for the PUT; undefined leaves it out (an empty field, an empty secret).
  function valueOf(field) {
    const c = field.control;
    switch (field.kind) {
      case 'object': {
        const inner = collect(field.children);
        return Object.keys(inner).length || field.required ? inner : undefined;
      }
      case 'boolean': return c.checked;
      case 'enum': return c.value === '' ? undefined : field.node.enum[Number(c.value)];
      case 'integer': case 'number': return c.value === '' ? undefined : Number(c.value);
      case 'array': {
        const numeric = field.node.items && ['integer', 'number'].includes(field.node.items.type);
        const items = c.value.split('\n').map((s) => s.trim()).filter(Boolean);
        const typed = items.map((s) => (numeric && s !== '' && !Number.isNaN(Number(s)) ? Number(s) : s));
        return typed.length ? typed : undefined;
      }
      default: return c.value === '' ? undefined : c.value;
    }
  }

  function collect(list) {
    const out = {};
    for (const field of list) {
      const value = valueOf(field);
      if (value !== undefined) out[field.name] = value;
    }
    return out;
  }

  function forgetSecrets() {
    for (const input of $('plugin-settings-form').querySelectorAll('input[type="password"]')) input.value = '';
  }

  // The settings a refusal names ("settings.callbackUrl: …", several joined by "; ") are marked.
  function markNamed(error) {
    const detail = (error && error.problem && error.problem.detail) || '';
    const named = new Set([...detail.matchAll(/settings\.([A-Za-z0-9_$.-]+?):/g)].map((m) => m[1]));
    for (const field of controls) if (named.has(field.path)) field.control.setAttribute('aria-invalid', 'true');
  }

  function show(answer) {
    view = answer;
    texts = [];
    controls = [];
    const schema = answer.schema && typeof answer.schema === 'object' ? answer.schema : {};
    say($('plugin-settings-title'), 'admin.pluginSettings.title', { id: answer.id });
    showText($('plugin-settings-about'), typeof schema.description === 'string' ? schema.description : '');
    const grid = $('plugin-settings-fields');
    grid.replaceChildren();
    fields = properties(schema, answer.values || {}, new Set(answer.secretsSet || []), '', grid);
  }

  function close() {
    view = null;
    fields = [];
    controls = [];
    texts = [];
    $('plugin-settings-fields').replaceChildren();
    showProblem($('plugin-settings-error'), null);
    showText($('plugin-settings-info'), '');
    $('plugin-settings').hidden = true;
  }

  async function open(id) {
    close();
    let answer;
    try {
      answer = await api.get(`/admin/api/plugins/${api.segment(id)}/settings`);
    } catch (error) {
      showProblem($('plugins-error'), error);
      return;
    }
    show(answer);
    $('plugin-settings').hidden = false;
    $('plugin-settings-title').focus();
  }

  async function save(event) {
    event.preventDefault();
    if (!view) return;
    const { id } = view;
    const form = $('plugin-settings-form');
    showProblem($('plugin-settings-error'), null);
    showText($('plugin-settings-info'), '');
    for (const field of controls) field.control.removeAttribute('aria-invalid');
    const values = collect(fields);
    await busy(form, async () => {
      try {
        show(await api.put(`/admin/api/plugins/${api.segment(id)}/settings`, { values }));
        showText($('plugin-settings-info'), t('admin.pluginSettings.saved', { id }));
      } catch (error) {
        forgetSecrets();
        showProblem($('plugin-settings-error'), error);
        markNamed(error);
      }
    });
    changed();  // the plugin is read again with its new settings: its state may have changed
  }

  $('plugin-settings-form').addEventListener('submit', save);
  $('plugin-settings-close').addEventListener('click', close);

  return {
    open,
    close,
    isOpen: () => view !== null,
    render() {
      for (const [node, key, vars] of texts) node.textContent = t(key, vars);
    },
  };
}
