// The appliance's card-check API (/api/v1/readers, /api/v1/card-checks) as a signed-in staff member: the
// session is the box's HttpOnly cookie (this page never sees it), and every change carries the session's
// CSRF token. Errors come back as application/problem+json; a failed card-check step carries the check as it
// now stands in its `check` member.

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

// One request; `csrf` goes with anything but GET.
async function send(method, path, body, signal, csrf) {
  const headers = { Accept: 'application/json, application/problem+json' };
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  if (method !== 'GET' && csrf) headers['X-CSRF-Token'] = csrf;
  let res;
  try {
    res = await fetch(path, { method, headers, body, signal, cache: 'no-store', credentials: 'same-origin', redirect: 'error' });
  } catch (e) {
    if (e.name === 'AbortError') throw e;
    throw new ApiError(0, null);
  }
  const type = res.headers.get('Content-Type') || '';
  const data = type.includes('json') ? await res.json().catch(() => null) : null;
  return { res, data };
}

// The signed-in staff member on this device: {staff: {username, displayName, role}, csrfToken, expiresAt},
// or null when nobody is (or the session ended).
export async function currentStaff() {
  const { res, data } = await send('GET', '/api/v1/staff/me');
  if (!res.ok) throw new ApiError(res.status, data);
  return data && data.signedIn ? data : null;
}

// User name, password and the authenticator app's code, in one request.
export async function signIn(username, password, code) {
  const { res, data } = await send('POST', '/api/v1/staff/sign-in', JSON.stringify({ username, password, code }));
  if (!res.ok) throw new ApiError(res.status, data);
  return data;
}

export async function signOut(csrf) {
  await send('POST', '/api/v1/staff/sign-out', undefined, undefined, csrf).catch(() => {});
}

export class Api {
  constructor(csrf, onUnauthorized) {
    this.csrf = csrf;
    this.onUnauthorized = onUnauthorized;
  }

  async call(method, path, body, signal) {
    const { res, data } = await send(method, path, body, signal, this.csrf);
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
