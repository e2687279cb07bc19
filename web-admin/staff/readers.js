// The readers list with live card state: GET /api/v1/readers?since=<generation>&wait=20000 in a loop,
// one button a reader, the staff member picks one.

import { t } from '/i18n/texts.js';

const WAIT_MILLIS = 20000;

const sleep = (ms, signal) => new Promise((resolve) => {
  const timer = setTimeout(resolve, ms);
  signal.addEventListener('abort', () => { clearTimeout(timer); resolve(); }, { once: true });
});

export class ReadersView {
  constructor(onChange, onConnection) {
    this.api = null;
    this.onChange = onChange;          // the selection or the readers changed
    this.onConnection = onConnection;  // (ok: boolean) the appliance answers or not
    this.snapshot = null;
    this.selected = null;
    this.buttons = new Map();
    this.list = document.getElementById('readers');
    this.down = document.getElementById('readers-down');
    this.empty = document.getElementById('readers-empty');
    this.controller = null;
  }

  start(api) {
    this.stop();
    this.api = api;
    this.controller = new AbortController();
    this.loop(this.controller.signal);
  }

  stop() {
    if (this.controller) this.controller.abort();
    this.controller = null;
  }

  async loop(signal) {
    let since = 0;
    let failures = 0;
    while (!signal.aborted) {
      try {
        const snapshot = await this.api.readers(since, WAIT_MILLIS, signal);
        if (signal.aborted) return;
        since = snapshot.generation;
        failures = 0;
        this.snapshot = snapshot;
        this.onConnection(true);
        this.render();
      } catch (e) {
        if (signal.aborted) return;
        if (e.status === 401) return;  // the page asks for the token again
        failures += 1;
        this.onConnection(false);
        await sleep(Math.min(1000 * 2 ** failures, 15000), signal);
      }
    }
  }

  serviceUp() {
    return Boolean(this.snapshot && this.snapshot.serviceUp);
  }

  reader(name) {
    return this.snapshot ? this.snapshot.readers.find((r) => r.name === name) || null : null;
  }

  select(name) {
    this.selected = name;
    this.render();
  }

  stateOf(r) {
    if (!this.serviceUp()) return 'down';
    if (r.mute) return 'mute';
    if (r.inUse) return 'in-use';
    return r.cardPresent ? 'present' : 'absent';
  }

  render() {
    const snapshot = this.snapshot;
    if (!snapshot) return;
    const readers = snapshot.readers || [];
    if (this.selected && !readers.some((r) => r.name === this.selected)) this.selected = null;
    if (!this.selected && readers.length === 1) this.selected = readers[0].name;
    this.down.hidden = snapshot.serviceUp;
    if (!snapshot.serviceUp) {
      // What pcscd said is for the log and the web admin, not for the person holding the tablet.
      this.down.textContent = t('readers.down');
    }
    this.empty.hidden = !snapshot.serviceUp || readers.length > 0;
    for (const [name, button] of this.buttons) {
      if (!readers.some((r) => r.name === name)) {
        button.remove();
        this.buttons.delete(name);
      }
    }
    for (const r of readers) this.renderReader(r);
    this.onChange();
  }

  renderReader(r) {
    let button = this.buttons.get(r.name);
    if (!button) {
      button = document.createElement('button');
      button.type = 'button';
      button.className = 'reader';
      button.dataset.reader = r.name;
      const name = document.createElement('span');
      name.className = 'reader-name';
      name.textContent = r.name;
      const state = document.createElement('span');
      state.className = 'reader-state';
      button.append(name, state);
      button.addEventListener('click', () => this.select(r.name));
      this.list.append(button);
      this.buttons.set(r.name, button);
    }
    const state = this.stateOf(r);
    button.dataset.card = state;
    button.setAttribute('aria-pressed', String(this.selected === r.name));
    button.disabled = state === 'down';
    button.querySelector('.reader-state').textContent = t(`readers.state.${state}`);
  }
}
