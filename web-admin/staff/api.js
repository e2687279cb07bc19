// The appliance's card-check API (/api/v1/readers, /api/v1/card-checks) with the client's bearer token.
// Errors come back as application/problem+json; a failed card-check step carries the check as it now
// stands in its `check` member.

export class ApiError extends Error {
  constructor(status, problem) {
    super(problem && problem.title ? problem.title : `HTTP ${status}`);
    this.status = status;          // 0: no answer (network)
    this.problem = problem || {};  // {type, title, status, code, detail, check?}
  }

  // "pin-wrong" for "urn:kakehashi:problem:pin-wrong"
  get kind() {
    const type = this.problem.type || '';
    return type.startsWith('urn:kakehashi:problem:') ? type.slice('urn:kakehashi:problem:'.length) : '';
  }

  get check() {
    return this.problem.check || null;
  }
}

export class Api {
  constructor(token, onUnauthorized) {
    this.token = token;
    this.onUnauthorized = onUnauthorized;
  }

  async call(method, path, body, signal) {
    const headers = { Authorization: `Bearer ${this.token}`, Accept: 'application/json, application/problem+json' };
    if (body !== undefined) headers['Content-Type'] = 'application/json';
    let res;
    try {
      res = await fetch(path, { method, headers, body, signal, cache: 'no-store', credentials: 'omit', redirect: 'error' });
    } catch (e) {
      if (e.name === 'AbortError') throw e;
      throw new ApiError(0, null);
    }
    const type = res.headers.get('Content-Type') || '';
    const data = type.includes('json') ? await res.json().catch(() => null) : null;
    if (res.status === 401 && this.onUnauthorized) this.onUnauthorized();
    if (!res.ok) throw new ApiError(res.status, data);
    return data;
  }

  readers(since, waitMillis, signal) {
    return this.call('GET', `/api/v1/readers?since=${since}&wait=${waitMillis}`, undefined, signal);
  }

  // What card checks can do over this box's upstream: {pin, consent, visualNeedsInsured, note?}.
  modes() {
    return this.call('GET', '/api/v1/card-checks/modes');
  }

  openCheck(request) {
    return this.call('POST', '/api/v1/card-checks', JSON.stringify(request));
  }

  check(id, since, waitMillis, signal) {
    return this.call('GET', `/api/v1/card-checks/${encodeURIComponent(id)}?since=${since}&wait=${waitMillis}`, undefined, signal);
  }

  // `body` is the finished JSON text from PinPad.take(): the PIN is never kept here.
  submitPin(id, body) {
    return this.call('POST', `/api/v1/card-checks/${encodeURIComponent(id)}/pin`, body);
  }

  confirmVisual(id, staffId) {
    return this.call('POST', `/api/v1/card-checks/${encodeURIComponent(id)}/visual-check`,
      JSON.stringify({ staffId, confirmed: true }));
  }

  cancel(id) {
    return this.call('DELETE', `/api/v1/card-checks/${encodeURIComponent(id)}`);
  }
}
