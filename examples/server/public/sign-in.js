// The example server's sign-in page, in cookie mode (see "Browser apps" in the README):
// - the access token lives in this module's memory only, never in localStorage or sessionStorage;
// - the refresh token is an HttpOnly cookie this page never sees. Every request that uses it
//   (refresh, sign out) carries the X-Requested-With header, which the server requires of cookie
//   requests and which no cross-site form can send;
// - the access token is renewed a little before it expires, and the session is checked every
//   30 seconds and whenever the tab becomes visible, so a session ended elsewhere shows quickly.

const CSRF_HEADER = { 'X-Requested-With': 'fetch' };
const CHECK_EVERY_MS = 30_000;

let accessToken = null;
let refreshTimer;
let checkTimer;

const $ = (id) => document.getElementById(id);

function show(view) {
  for (const id of ['loading', 'signin', 'account']) $(id).hidden = id !== view;
}

function say(text, isError = false) {
  const message = $('message');
  message.textContent = text;
  message.className = isError ? 'error' : '';
  message.hidden = !text;
}

/** A form POST to our own origin, as a cookie request. */
async function post(path, params) {
  const res = await fetch(path, {
    method: 'POST',
    credentials: 'same-origin',
    headers: { ...CSRF_HEADER, 'Content-Type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams(params),
  });
  let body = {};
  try {
    body = await res.json();
  } catch {
    // an empty body
  }
  return { res, body };
}

/** "12 seconds", "3 minutes": the Retry-After of a 429 or 503, in words. */
function waitText(res) {
  const seconds = Number(res.headers.get('Retry-After'));
  if (!Number.isFinite(seconds) || seconds <= 0) return 'a moment';
  if (seconds < 90) return seconds === 1 ? '1 second' : `${seconds} seconds`;
  return `${Math.ceil(seconds / 60)} minutes`;
}

/** What a refused sign-in tells the user, from the RFC 6749 §5.2 error code and the status. */
function signInProblem(res, body) {
  if (res.status === 429) return `Too many attempts. Try again in ${waitText(res)}.`;
  if (res.status === 503) return `The server is busy. Try again in ${waitText(res)}.`;
  if (body.error === 'invalid_grant') return 'Wrong username or password.';
  if (body.error === 'invalid_request' && body.error_description) return body.error_description;
  return `Sign-in failed (HTTP ${res.status}). Please try again.`;
}

/** Keeps a new access token and schedules its renewal: a fifth of its lifetime early, at most a minute. */
function keep(tokens) {
  accessToken = tokens.access_token;
  clearTimeout(refreshTimer);
  const early = Math.min(60, tokens.expires_in / 5);
  refreshTimer = setTimeout(() => void refresh(), Math.max(1, tokens.expires_in - early) * 1000);
}

/** Back to the form: the session is over here. */
function forget(text, isError = false) {
  accessToken = null;
  clearTimeout(refreshTimer);
  clearInterval(checkTimer);
  $('password').value = '';
  show('signin');
  say(text, isError);
}

/** Renews the access token from the cookie. A refusal means the session is over (signed out elsewhere, expired). */
async function refresh() {
  let reply;
  try {
    reply = await post('/token', { grant_type: 'refresh_token' });
  } catch {
    say('Cannot reach the server; trying again…', true);
    refreshTimer = setTimeout(() => void refresh(), 5000);
    return false;
  }
  const { res, body } = reply;
  if (res.ok) {
    keep(body);
    return true;
  }
  if (res.status === 429 || res.status === 503) {
    // Not the session's end: try again when the server says.
    refreshTimer = setTimeout(() => void refresh(), (Number(res.headers.get('Retry-After')) || 5) * 1000);
    return false;
  }
  const hadSession = accessToken !== null;
  forget(hadSession ? 'Your session has ended (signed out elsewhere, or expired). Please sign in again.' : '', hadSession);
  return false;
}

/** Shows who is signed in (GET /users/me); a refused token is renewed once, then the session is over. */
async function loadMe(retried = false) {
  if (accessToken === null) return;
  const res = await fetch('/users/me', { headers: { Authorization: `Bearer ${accessToken}` } });
  if (res.status === 401) {
    if (!retried && (await refresh())) await loadMe(true);
    else if (accessToken !== null) forget('Your session has ended. Please sign in again.', true);
    return;
  }
  if (!res.ok) {
    say(`Could not load your account (HTTP ${res.status}).`, true);
    return;
  }
  const user = await res.json();
  $('who').textContent = user.username;
  $('email').textContent = user.email ?? '—';
  $('scopes').textContent = user.scopes.join(' ') || '—';
  show('account');
}

function startChecks() {
  clearInterval(checkTimer);
  checkTimer = setInterval(() => void loadMe(), CHECK_EVERY_MS);
}

document.addEventListener('visibilitychange', () => {
  if (document.visibilityState === 'visible') void loadMe();
});

$('signin-form').addEventListener('submit', async (event) => {
  event.preventDefault();
  const button = $('signin-button');
  button.disabled = true;
  say('');
  try {
    const { res, body } = await post('/token', { grant_type: 'password', username: $('username').value, password: $('password').value });
    if (!res.ok) {
      say(signInProblem(res, body), true);
      return;
    }
    $('password').value = '';
    keep(body);
    startChecks();
    await loadMe();
  } catch {
    say('Cannot reach the server. Please try again.', true);
  } finally {
    button.disabled = false;
  }
});

$('signout').addEventListener('click', async () => {
  // Revokes the cookie's refresh token and clears the cookie; the access token is revoked too.
  const token = accessToken;
  try {
    await post('/revoke', token === null ? {} : { token, token_type_hint: 'access_token' });
  } catch {
    // Signed out here all the same.
  }
  forget('You have signed out.');
});

$('signout-everywhere').addEventListener('click', async () => {
  const res = await fetch('/users/me/sessions', { method: 'DELETE', credentials: 'same-origin', headers: { ...CSRF_HEADER, Authorization: `Bearer ${accessToken}` } });
  forget(res.ok ? 'You have signed out everywhere.' : `Sign-out everywhere failed (HTTP ${res.status}).`, !res.ok);
});

// On load: signed in already if the cookie still refreshes.
if (await refresh()) {
  startChecks();
  await loadMe();
}
