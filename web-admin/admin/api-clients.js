// Clients of the HTTP API (receipt computers, electronic charts): adding one, and its token shown once in
// a box with a copy button. Used by the channels view and by the first-run wizard's last step. The token
// exists only in the box's text while the box is open: closing the box, leaving the view or signing out
// empties it; the appliance keeps only a hash and can never show it again.

import * as api from './api.js';
import { t } from '/i18n/texts.js';
import { $, showText } from './ui.js';

// "192.168.1.0/24, 10.1.0.0/16" or one a line → ["192.168.1.0/24", "10.1.0.0/16"]; empty: any address.
export function cidrList(text) {
  return String(text || '').split(/[\s,、，]+/).filter(Boolean);
}

// POST /admin/api/api-clients → {name, token}; the same name again gives that client a new token.
export function issueApiClient(name, cidrs) {
  return api.post('/admin/api/api-clients', { name: String(name).trim(), allowCidrs: cidrs });
}

export function revokeApiClient(name) {
  return api.call('DELETE', `/admin/api/api-clients/${api.segment(name)}`);
}

// The box whose elements are `${prefix}-token-box`, `-token-name`, `-token`, `-token-copy`, `-token-copied`
// and `-token-done` (index.html). `onDone` runs after the box was closed with its done button.
export function createTokenBox(prefix, onDone = () => {}) {
  const part = (name) => $(`${prefix}-${name}`);

  function clear() {
    part('token').textContent = '';
    part('token-name').textContent = '';
    showText(part('token-copied'), '');
    part('token-box').hidden = true;
  }

  async function copy() {
    const token = part('token').textContent;
    if (!token) return;
    try {
      await navigator.clipboard.writeText(token);
      showText(part('token-copied'), t('admin.token.copied'));
    } catch {
      // no clipboard (refused, or not a secure context): select it for Ctrl+C
      window.getSelection().selectAllChildren(part('token'));
      showText(part('token-copied'), t('admin.token.selected'));
    }
  }

  part('token-copy').addEventListener('click', copy);
  part('token-done').addEventListener('click', () => {
    clear();
    onDone();
  });

  return {
    show(name, token) {
      part('token-name').textContent = name;
      part('token').textContent = token;
      showText(part('token-copied'), '');
      part('token-box').hidden = false;
      part('token-copy').focus();
    },
    clear,
    // The client whose token is on show, or '' when the box is closed.
    showing: () => (part('token-box').hidden ? '' : part('token-name').textContent),
  };
}
