// The admin API (/admin/api/…): the session lives in an HttpOnly cookie the browser sends by itself; the
// CSRF token arrives in the JSON of setup, sign-in, second-factor and /me answers and goes back as
// X-CSRF-Token on every request that changes something. Failures are application/problem+json and
// become an ApiError; a 401 "unauthorized" (the session is gone) calls the sign-out handler.

const PROBLEM_PREFIX = 'urn:kakehashi:problem:';

let csrfToken = '';
let signedOutHandler = null;

export class ApiError extends Error {
  constructor(status, problem) {
    super(problem && problem.title ? problem.title : `HTTP ${status}`);
    this.status = status;          // 0: no answer (network)
    this.problem = problem || {};  // {type, title, status, code, detail}
  }

  // "account-locked" for "urn:kakehashi:problem:account-locked"
  get kind() {
    const type = this.problem.type || '';
    return type.startsWith(PROBLEM_PREFIX) ? type.slice(PROBLEM_PREFIX.length) : '';
  }
}

export function onSignedOut(handler) {
  signedOutHandler = handler;
}

export function forgetSession() {
  csrfToken = '';
}

// options.signingIn: a 401 is the answer to this very request (a wrong password or code), not a lost
// session. options.raw: hand back the Response of a success (for file downloads).
export async function call(method, path, body, options = {}) {
  const headers = { Accept: 'application/json, application/problem+json' };
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  if (method !== 'GET' && method !== 'HEAD' && csrfToken) headers['X-CSRF-Token'] = csrfToken;
  let res;
  try {
    res = await fetch(path, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
      credentials: 'same-origin',
      cache: 'no-store',
      redirect: 'error',
    });
  } catch {
    throw new ApiError(0, null);
  }
  if (options.raw && res.ok) return res;
  const type = res.headers.get('Content-Type') || '';
  const data = type.includes('json') ? await res.json().catch(() => null) : null;
  if (data && typeof data.csrfToken === 'string' && data.csrfToken) csrfToken = data.csrfToken;
  if (!res.ok) {
    const error = new ApiError(res.status, data);
    if (res.status === 401 && error.kind === 'unauthorized' && !options.signingIn && signedOutHandler) signedOutHandler();
    throw error;
  }
  return data === null ? {} : data;
}

export const get = (path, options) => call('GET', path, undefined, options);
export const post = (path, body, options) => call('POST', path, body === undefined ? {} : body, options);
export const put = (path, body, options) => call('PUT', path, body, options);
export const patch = (path, body, options) => call('PATCH', path, body, options);

// "/admin/api/settings/" + a path segment
export const segment = (text) => encodeURIComponent(String(text));

// After a restart was asked for: resolves once the appliance has gone away and answers again, or once
// `await done(answer of GET /admin/api/setup)` is true (a sign of the restarted box that polling cannot
// miss), or after 20 s of answers without going away (a restart quicker than the polling); at most after
// 3 minutes.
export async function waitForRestart(done = async () => false) {
  const started = Date.now();
  let wentAway = false;
  while (Date.now() - started < 180000) {
    await new Promise((resolve) => setTimeout(resolve, 500));
    try {
      const setup = await get('/admin/api/setup');
      if (wentAway || (await done(setup)) || Date.now() - started > 20000) return;
    } catch {
      wentAway = true;
    }
  }
}
