import type { NextFunction, Request, Response } from 'express';
import type { VerifiedRequest } from '../bearer/verified-requests';
import { AuthError, InvalidGrantError, InvalidRequestError, InvalidTokenError, UsernameConflictError, UsernameTakenError } from '../core/errors';
import { asParams, readParam } from '../core/params';
import { publicUser } from '../core/user';
import { sameUsername, usernameProblem } from '../core/usernames';
import type { ResolvedAuth } from '../config/auth-options';
import { reportFailure } from '../config/hooks';
import { bumpTokenEpochFrom, emailProblem, endAllSessions, newPasswordProblem } from '../login/accounts';
import { verifyCurrentPassword } from '../login/authenticate-password';
import { clearRefreshCookie, cookieRequest } from './cookie-mode';
import { guardRequest } from './guard';
import { createBodyParser, UNREAD_BODY } from './parse-body';
import { NO_STORE, sendError } from './send-error';

/** Whose account an account route acts on: the id and token epoch the bearer check found, whatever req.user says now. */
type Caller = VerifiedRequest['caller'];
type Handler = (req: Request, res: Response, caller: Caller) => Promise<void>;

/** The caller of the one route that needs none (registration), which never reads it: no account. */
const NOBODY: Caller = Object.freeze({ id: '', tokenEpoch: -1 });

/**
 * Wraps an account handler: authenticates the caller when `authenticate()` has
 * not run (so a route cannot forget it), parses the body, and turns AuthErrors
 * into responses and anything else into next(err). The handler acts on the
 * caller the token's check found only: there is no user id parameter, and app
 * code that replaced or changed req.user does not redirect it, so a user can
 * only ever change their own record.
 */
function accountRoute(auth: ResolvedAuth, name: string, handler: Handler, requireUser = true) {
  const parseBody = createBodyParser(auth.bodyLimit);
  const route = {
    async [name](req: Request, res: Response, next: NextFunction): Promise<void> {
      // Answers about an account are never cached (RFC 6749 §5.1, as at the token endpoint): refusals
      // of its credentials included.
      const found = requireUser ? await guardRequest(auth, req, res, next, { refusalHeaders: NO_STORE }) : undefined;
      if (requireUser && found === undefined) return;
      try {
        await parseBody(req, res);
        await handler(req, res, found?.caller ?? NOBODY);
      } catch (err) {
        if (!(err instanceof AuthError)) return next(err);
        reportFailure(auth.hooks, err, req);
        // Like the token endpoint's (RFC 6749 §5.1): answers about an account are never cached, refusals included.
        sendError(res, err, NO_STORE);
      }
    },
  };
  return route[name];
}

function bodyOf(req: Request): Record<string, unknown> {
  const body = asParams(req.body);
  if (!body) throw new InvalidRequestError(UNREAD_BODY);
  return body;
}

/** `PATCH /users/me`: changes the caller's email (`null` or "" clears it); any other field is a 400. */
export function createUpdateMe(auth: ResolvedAuth) {
  return accountRoute(auth, 'updateMe', async (req, res, caller) => {
    const body = bodyOf(req);
    const unknown = Object.keys(body).find((field) => field !== 'email');
    if (unknown !== undefined) throw new InvalidRequestError(/^[A-Za-z_][A-Za-z0-9_]{0,40}$/.test(unknown) ? `Field '${unknown}' cannot be changed here` : 'Only email can be changed here');
    if (!Object.hasOwn(body, 'email')) throw new InvalidRequestError("Nothing to change: send 'email'");
    const email = body.email === null || body.email === '' ? null : body.email;
    if (email !== null) {
      const problem = emailProblem(email);
      if (problem) throw new InvalidRequestError(capitalize(problem));
    }
    const updated = await auth.users.update(caller.id, { email: email as string | null });
    if (!updated) throw new InvalidGrantError('The account no longer exists', { reason: 'account.gone' });
    // Account data: no shared or browser cache may keep it (RFC 9111 §5.2.2.5; OWASP ASVS 8.2.1).
    res.status(200).set(NO_STORE).json(publicUser(updated));
  });
}

/**
 * `PUT /users/me/password` with `current_password` and `new_password`. A wrong
 * current password is a 400 reported like a failed login; success is a 204
 * that ends every earlier session (access and refresh tokens alike).
 *
 * The change is a compare-and-set on the token epoch of the caller's session:
 * if a sign-out everywhere, a disable or another password change ended that
 * session while this request ran, nothing is changed and the answer is the
 * 401 `invalid_token` the session check would now give (RFC 6750 §3.1). A
 * login that rehashed the same password meanwhile keeps the epoch, so it does
 * not get in the way.
 */
export function createChangePassword(auth: ResolvedAuth) {
  const sessionEnded = () =>
    new InvalidTokenError('The session has ended; the password was not changed', {
      reason: 'session.ended',
      detail: 'token epoch moved during a password change',
      realm: auth.bearer.realm,
    });
  const gone = () => new InvalidGrantError('The account no longer exists', { reason: 'account.gone' });
  return accountRoute(auth, 'changePassword', async (req, res, caller) => {
    const body = bodyOf(req);
    const current = readParam(body, 'current_password');
    const next = readParam(body, 'new_password');
    if (current === undefined || next === undefined) {
      throw new InvalidRequestError("Parameters 'current_password' and 'new_password' are required");
    }
    const problem = newPasswordProblem(auth.passwords, next);
    if (problem) throw new InvalidRequestError(capitalize(problem));
    // The session check set req.user from the account as it was for this token: its epoch is the token's.
    const sessionEpoch = caller.tokenEpoch;
    const user = await auth.users.findById(caller.id);
    if (!user) throw gone();
    if (user.tokenEpoch !== sessionEpoch) throw sessionEnded();
    // The current password is a login in all but name: same limits, same counting.
    await verifyCurrentPassword(auth, user, current, { ip: req.ip, deviceCookies: auth.deviceCookies?.read(req.headers.cookie, req.secure) });
    const changed = await bumpTokenEpochFrom(auth.users, user.id, sessionEpoch, { passwordHash: await auth.passwords.hash(next) });
    if (!changed) throw (await auth.users.findById(user.id)) ? sessionEnded() : gone();
    // The new epoch untrusts every earlier device cookie of the account; this client proved the password, so it gets a fresh one.
    if (auth.deviceCookies) res.append('Set-Cookie', auth.deviceCookies.setCookie(changed, req.secure));
    res.status(204).end();
  });
}

/** `DELETE /users/me/sessions`: sign out everywhere; every token issued before stops working. 204. */
export function createSignOutEverywhere(auth: ResolvedAuth) {
  return accountRoute(auth, 'signOutEverywhere', async (req, res, caller) => {
    // Cookie mode: checked before anything changes (a cross-origin one is a 403); the dead cookie goes.
    const browser = cookieRequest(auth, req);
    const user = await auth.users.findById(caller.id);
    if (user) await endAllSessions(auth.users, user);
    if (browser) clearRefreshCookie(auth, req, res);
    res.status(204).end();
  });
}

/**
 * `POST /users`: self-registration with `username`, `password` and an
 * optional `email`. Mount it only where sign-up is wanted. A taken username is
 * a 409, which necessarily tells that the name exists, so requests are
 * limited per client IP (`rateLimits.registrationsPerHour`). So is a name that
 * looks like a taken one (UTS #39 §4 skeletons: `аӏісе` beside `alice`): for
 * a reader it is that name. It is found before the password is hashed
 * (`UserStore.findLookalike`), and refused by the store itself when two
 * registrations race. Throws a TypeError at start-up for a store without
 * `findLookalike`: a registration route blind to look-alikes would let
 * anyone pose as an existing user.
 */
export function createRegister(auth: ResolvedAuth) {
  const users = auth.users;
  if (typeof users.findLookalike !== 'function') {
    throw new TypeError(
      'users: registration needs a UserStore with findLookalike(username), so that a new name cannot look like an existing one (UTS #39 skeletons; see UserStore in express-jwt-auth)',
    );
  }
  const findLookalike = users.findLookalike.bind(users);
  const register = accountRoute(
    auth,
    'register',
    async (req, res) => {
      await auth.rateLimits?.request('register', req.ip);
      const body = bodyOf(req);
      const username = readParam(body, 'username');
      const password = readParam(body, 'password');
      const email = readParam(body, 'email');
      if (username === undefined || password === undefined) throw new InvalidRequestError("Parameters 'username' and 'password' are required");
      const problem = usernameProblem(username) ?? newPasswordProblem(auth.passwords, password) ?? (email === undefined ? undefined : emailProblem(email));
      if (problem) throw new InvalidRequestError(capitalize(problem));
      // Before the hash: a name that is taken or looks like one costs no argon2 work.
      const existing = await findLookalike(username);
      if (existing) throw new UsernameConflictError({ lookalike: !sameUsername(existing.username, username) });
      try {
        const user = await auth.users.create({ username, email: email ?? null, passwordHash: await auth.passwords.hash(password) });
        res.status(201).set(NO_STORE).json(publicUser(user)); // account data, like updateMe's answer
      } catch (err) {
        // Another registration won the name (or a look-alike of it) meanwhile.
        if (err instanceof UsernameTakenError) throw new UsernameConflictError({ cause: err, lookalike: err.lookalike === true });
        throw err;
      }
    },
    false,
  );
  return register;
}

function capitalize(text: string): string {
  return text[0].toUpperCase() + text.slice(1);
}
