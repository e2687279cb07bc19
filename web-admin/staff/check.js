// One card check, followed from "put the card down" to its end: GET /api/v1/card-checks/{id}?since=
// <version>&wait=20000 in a loop, and the staff member's steps (PIN, visual check, cancel). Every answer
// that carries the check — a step's reply, a problem's `check` member, the long poll — goes through
// render(), which keeps the newest version only.

import { currentLanguage, has, t } from '/i18n/texts.js';
import { PinPad } from './pin-pad.js';
import { clearResult, renderResult } from './result.js';

const WAIT_MILLIS = 20000;
const FINAL = new Set(['verified', 'failed', 'cancelled']);
const BUSY = new Set(['reading-card', 'verifying']);

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

// Over plain HTTP only on the box itself (tests, tools); anywhere else a PIN would travel in clear.
export function pinMaySend() {
  return location.protocol === 'https:' || ['localhost', '127.0.0.1', '[::1]'].includes(location.hostname);
}

// A problem's title in the page's language: the appliance's Japanese title, or our own text for it.
export function problemTitle(kind, serverTitle) {
  if ((currentLanguage() !== 'ja' || !serverTitle) && has(`problem.${kind}`)) return t(`problem.${kind}`);
  return serverTitle || t('problem.unknown');
}

export class CheckView {
  constructor(onDone) {
    this.api = null;
    this.session = null;     // {staffId}
    this.onDone = onDone;    // the staff member leaves the check for the readers
    this.check = null;
    this.request = null;     // what opened the check (to start a visual check after a blocked PIN)
    this.actionError = null;
    this.controller = null;
    this.$ = (id) => document.getElementById(id);
    this.pad = new PinPad(this.$('pin'), (body) => this.submitPin(body));
    this.$('visual-confirm').addEventListener('click', () => this.confirmVisual());
    this.$('check-cancel').addEventListener('click', () => this.cancel());
    this.$('check-new').addEventListener('click', () => this.leave());
    this.$('blocked-visual').addEventListener('click', () => this.startVisualInstead());
  }

  use(api, session) {
    this.stop();
    this.check = null;
    this.api = api;
    this.session = session;
  }

  // Open a check (POST /api/v1/card-checks); throws the ApiError for the start view to show.
  async open(request) {
    const check = await this.api.openCheck(request);
    this.request = request;
    this.follow(check);
    return check;
  }

  follow(check) {
    this.stop();
    this.check = null;
    this.actionError = null;
    clearResult();
    this.render(check);
    this.controller = new AbortController();
    this.poll(check.id, this.controller.signal);
  }

  stop() {
    if (this.controller) this.controller.abort();
    this.controller = null;
    this.pad.hide();
  }

  async poll(id, signal) {
    let failures = 0;
    while (!signal.aborted && this.check && this.check.id === id && !FINAL.has(this.check.state)) {
      try {
        const check = await this.api.check(id, this.check.version, WAIT_MILLIS, signal);
        failures = 0;
        if (!signal.aborted) this.render(check);
      } catch (e) {
        if (signal.aborted || e.status === 401) return;
        if (e.status === 404) {
          this.showActionError({ title: t('check.gone') });
          return;
        }
        failures += 1;
        this.showActionError({ title: t('app.offline') });
        await sleep(Math.min(1000 * 2 ** failures, 15000));
      }
    }
  }

  render(check) {
    if (!check || (this.check && check.id === this.check.id && check.version < this.check.version)) return;
    if (this.check && check.version > this.check.version) this.actionError = null;
    this.check = check;
    const state = check.state;
    this.$('check-reader').textContent = check.reader;
    this.$('check-mode').textContent = t(check.mode === 'visual' ? 'mode.visual' : 'mode.pin');
    const stateEl = this.$('check-state');
    stateEl.textContent = t(`state.${state}`);
    stateEl.dataset.state = state;
    this.$('check-explain').textContent = has(`state.${state}.explain`) ? t(`state.${state}.explain`) : '';
    this.renderProblem(check);
    this.$('busy').hidden = !BUSY.has(state);
    if (state === 'awaiting-pin') this.pad.show(check);
    else this.pad.hide();
    this.$('visual').hidden = state !== 'awaiting-visual-check';
    this.$('visual-confirm').disabled = false;
    const blocked = state === 'failed' && check.error && check.error.type === 'pin-blocked';
    this.$('blocked').hidden = !blocked;
    this.$('result').hidden = state !== 'verified';
    if (state === 'verified') renderResult(check);
    this.$('check-cancel').hidden = FINAL.has(state) || state === 'verifying';
    this.$('check-new').hidden = !FINAL.has(state);
  }

  // The last step's failure (error.title and message) or a local one (a request that got no check back).
  // A locked PIN has its own box: the appliance's title and message (the municipal office) and the way on.
  renderProblem(check) {
    const box = this.$('check-problem');
    const info = this.$('check-info');
    const local = this.actionError;
    const error = BUSY.has(check.state) ? null : check.error;  // while a step runs, the last one's failure is old news
    const blocked = check.state === 'failed' && error && error.type === 'pin-blocked';
    box.hidden = !local && (!error || blocked);
    info.hidden = true;
    if (blocked) {
      this.$('blocked-title').textContent = problemTitle(error.type, error.title);
      this.$('blocked-text').textContent = currentLanguage() === 'ja' && check.message ? check.message : t('blocked.office');
    }
    if (local) {
      this.$('check-error').textContent = local.title;
      this.$('check-message').textContent = local.detail || '';
    } else if (error) {
      const title = problemTitle(error.type, error.title);
      this.$('check-error').textContent = title;
      this.$('check-message').textContent = check.message && check.message !== error.title ? check.message : '';
    } else if (check.message && check.message !== this.$('check-state').textContent) {
      info.textContent = check.message;
      info.hidden = false;
    }
  }

  showActionError(problem) {
    this.actionError = problem;
    if (this.check) this.renderProblem(this.check);
  }

  // A step's answer: the check itself, or a problem that carries it (pin-wrong: the new tries left).
  async step(action) {
    try {
      this.render(await action());
    } catch (e) {
      if (e.name === 'AbortError') return;
      if (e.check) {
        this.render(e.check);
      } else if (e.status === 0 || !e.problem) {
        // No answer: the step may or may not have reached the card. Nothing is sent again; the long
        // poll shows where the check now stands.
        this.showActionError({ title: t('check.noAnswer'), detail: t('check.noAnswerDetail') });
      } else {
        this.showActionError({ title: problemTitle(e.kind, e.problem.title) });
      }
    }
  }

  async submitPin(body) {
    if (!this.check) return;
    // A PIN crosses the network only inside TLS; the box refuses it otherwise, and it is never sent.
    if (!pinMaySend()) {
      this.showActionError({ title: t('check.pinNeedsHttps') });
      return;
    }
    const id = this.check.id;
    this.pad.setBusy(true);
    this.actionError = null;
    await this.step(() => this.api.submitPin(id, body));
    this.pad.setBusy(false);
  }

  async confirmVisual() {
    if (!this.check) return;
    this.$('visual-confirm').disabled = true;
    this.actionError = null;
    await this.step(() => this.api.confirmVisual(this.check.id, this.session.staffId));
  }

  async cancel() {
    if (!this.check) return;
    this.pad.hide();
    await this.step(() => this.api.cancel(this.check.id));
  }

  // After a locked PIN: the same patient, the same reader, identity by the staff member's visual check.
  async startVisualInstead() {
    if (!this.check || !this.request) return;
    const request = { ...this.request, mode: 'visual', staffId: this.session.staffId };
    try {
      await this.open(request);
    } catch (e) {
      this.showActionError({ title: problemTitle(e.kind, e.problem && e.problem.title) });
    }
  }

  leave() {
    this.stop();
    this.check = null;
    this.request = null;
    clearResult();
    this.onDone();
  }

  rerender() {
    if (!this.check) return;
    const check = this.check;
    this.check = null;
    this.render(check);
  }
}
