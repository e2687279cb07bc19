// The PIN pad (暗証番号): ten digit buttons, clear and submit, four masked dots; keyboard digits work too.
//
// PIN rules (docs/card-checks.md §2): the tries left are shown with every prompt; at one try
// left the PIN is taken only after an explicit confirmation; the digits live only in this module's
// buffer — never in the DOM as text, storage, a URL or the console — and the buffer is emptied the moment
// the request body is made (take), when the pad is hidden, and when the page goes away. Nothing here
// ever submits on its own: a wrong PIN empties the pad and waits for the patient.

import { t } from '/i18n/texts.js';

const LENGTH = 4;

export class PinPad {
  constructor(root, onSubmit) {
    this.root = root;
    this.onSubmit = onSubmit;
    this.digits = [];
    this.visible = false;
    this.busy = false;
    this.confirmationRequired = false;
    this.el = {
      tries: root.querySelector('#pin-tries'),
      last: root.querySelector('#pin-last'),
      lastOk: root.querySelector('#pin-last-ok'),
      dots: [...root.querySelectorAll('.dot')],
      clear: root.querySelector('#pin-clear'),
      submit: root.querySelector('#pin-submit'),
    };
    for (const b of root.querySelectorAll('[data-digit]')) b.addEventListener('click', () => this.add(b.dataset.digit));
    this.el.clear.addEventListener('click', () => this.clear());
    this.el.submit.addEventListener('click', () => this.submit());
    this.el.lastOk.addEventListener('change', () => this.refresh());
    document.addEventListener('keydown', (e) => this.onKey(e));
    window.addEventListener('pagehide', () => this.clear());
  }

  // Show the pad for a check awaiting the PIN: its tries left and, at one try left, the warning.
  show(check) {
    const wasConfirming = this.visible && this.confirmationRequired;
    this.confirmationRequired = check.confirmationRequired === true;
    if (!wasConfirming) this.el.lastOk.checked = false;
    this.el.last.hidden = !this.confirmationRequired;
    this.el.tries.textContent = typeof check.triesLeft === 'number'
      ? t('pin.tries', { n: check.triesLeft }) : t('pin.triesUnknown');
    this.el.tries.classList.toggle('tries-last', this.confirmationRequired);
    this.root.hidden = false;
    this.visible = true;
    this.refresh();
  }

  hide() {
    this.clear();
    this.visible = false;
    this.busy = false;
    this.root.hidden = true;
  }

  setBusy(busy) {
    this.busy = busy;
    this.refresh();
  }

  add(digit) {
    if (!this.visible || this.busy || this.digits.length >= LENGTH || !/^[0-9]$/.test(digit)) return;
    this.digits.push(digit);
    this.refresh();
  }

  removeLast() {
    if (this.digits.length) this.digits[this.digits.length - 1] = '';
    this.digits.pop();
    this.refresh();
  }

  clear() {
    this.digits.fill('');
    this.digits.length = 0;
    this.refresh();
  }

  ready() {
    return this.visible && !this.busy && this.digits.length === LENGTH &&
      (!this.confirmationRequired || this.el.lastOk.checked);
  }

  // The request body {"pin":"1234","confirmLastTry":false}, and the buffer emptied at once.
  take() {
    if (!this.ready()) return null;
    const body = JSON.stringify({ pin: this.digits.join(''), confirmLastTry: this.confirmationRequired });
    this.clear();
    return body;
  }

  submit() {
    const body = this.take();
    if (body !== null) this.onSubmit(body);
  }

  refresh() {
    this.el.dots.forEach((dot, i) => dot.classList.toggle('filled', i < this.digits.length));
    this.el.dots[0].parentElement.dataset.count = String(this.digits.length);
    this.el.submit.disabled = !this.ready();
    this.el.clear.disabled = this.busy || this.digits.length === 0;
    for (const b of this.root.querySelectorAll('[data-digit]')) b.disabled = this.busy;
  }

  onKey(e) {
    if (!this.visible || e.ctrlKey || e.metaKey || e.altKey) return;
    if (/^[0-9]$/.test(e.key)) {
      e.preventDefault();
      this.add(e.key);
    } else if (e.key === 'Backspace') {
      e.preventDefault();
      this.removeLast();
    } else if (e.key === 'Escape') {
      this.clear();
    } else if (e.key === 'Enter' && this.ready()) {
      e.preventDefault();
      this.submit();
    }
  }
}
