import type { NextFunction, Request, Response } from 'express';
import { isVerifiedBy } from '../bearer/verified-requests';
import { AuthError, InvalidGrantError, InvalidRequestError, UsernameConflictError, UsernameTakenError } from '../core/errors';
import { asParams, readParam } from '../core/params';
import { publicUser } from '../core/user';
import { usernameProblem } from '../core/usernames';
import type { ResolvedAuth } from '../config/auth-options';
import { reportFailure } from '../config/hooks';
import { emailProblem, endAllSessions, newPasswordProblem } from '../login/accounts';
import { clearRefreshCookie, cookieRequest } from './cookie-mode';
import { runBearer } from './guard';
import { createBodyParser } from './parse-body';
import { sendError } from './send-error';

type Handler = (req: Request, res: Response) => Promise<void>;

/**
 * Wraps an account handler: authenticates the caller when `authenticate()` has
 * not run (so a route cannot forget it), parses the body, and turns AuthErrors
 * into responses and anything else into next(err). The handler acts on
 * req.user only: there is no user id parameter, so a user can only ever
 * change their own record.
 */
function accountRoute(auth: ResolvedAuth, name: string, handler: Handler, requireUser = true) {
  const parseBody = createBodyParser(auth.bodyLimit);
  const route = {
    async [name](req: Request, res: Response, next: NextFunction): Promise<void> {
      if (requireUser && !isVerifiedBy(req, auth.bearer) && !(await runBearer(auth, req, res, next))) return;
      try {
        await parseBody(req, res);
        await handler(req, res);
      } catch (err) {
        if (!(err instanceof AuthError)) return next(err);
        reportFailure(auth.hooks, err, req);
        sendError(res, err);
      }
    },
  };
  return route[name];
}

function bodyOf(req: Request): Record<string, unknown> {
  const body = asParams(req.body);
  if (!body) throw new InvalidRequestError('Send a JSON or form-encoded body');
  return body;
}

/** `PATCH /users/me`: changes the caller's email (`null` or "" clears it); any other field is a 400. */
export function createUpdateMe(auth: ResolvedAuth) {
  return accountRoute(auth, 'updateMe', async (req, res) => {
    const body = bodyOf(req);
    const unknown = Object.keys(body).find((field) => field !== 'email');
    if (unknown !== undefined) throw new InvalidRequestError(`Field "${unknown}" cannot be changed here`);
    if (!Object.hasOwn(body, 'email')) throw new InvalidRequestError('Nothing to change: send "email"');
    const email = body.email === null || body.email === '' ? null : body.email;
    if (email !== null) {
      const problem = emailProblem(email);
      if (problem) throw new InvalidRequestError(capitalize(problem));
    }
    const updated = await auth.users.update(req.user!.id, { email: email as string | null });
    if (!updated) throw new InvalidGrantError('The account no longer exists', { reason: 'account.gone' });
    res.status(200).json(publicUser(updated));
  });
}

/**
 * `PUT /users/me/password` with `current_password` and `new_password`. A wrong
 * current password is a 400 reported like a failed login; success is a 204
 * that ends every earlier session (access and refresh tokens alike).
 */
export function createChangePassword(auth: ResolvedAuth) {
  return accountRoute(auth, 'changePassword', async (req, res) => {
    const body = bodyOf(req);
    const current = readParam(body, 'current_password');
    const next = readParam(body, 'new_password');
    if (current === undefined || next === undefined) {
      throw new InvalidRequestError('Parameters "current_password" and "new_password" are required');
    }
    const problem = newPasswordProblem(auth.passwords, next);
    if (problem) throw new InvalidRequestError(capitalize(problem));
    const ip = req.ip ?? 'unknown';
    const user = await auth.users.findById(req.user!.id);
    if (!user) throw new InvalidGrantError('The account no longer exists', { reason: 'account.gone' });
    // The current password is a login in all but name: same limits, same counting.
    await auth.rateLimits?.beginLogin(user.username, ip);
    if (auth.passwords.isTooLong(current) || !(await auth.passwords.verify(user.passwordHash, current))) {
      await auth.rateLimits?.loginFailed(user.username, ip);
      throw new InvalidGrantError('The current password is wrong', { reason: 'login.wrong_password', detail: 'wrong current password' });
    }
    await auth.rateLimits?.loginSucceeded(user.username, ip);
    await endAllSessions(auth.users, user, { passwordHash: await auth.passwords.hash(next) });
    res.status(204).end();
  });
}

/** `DELETE /users/me/sessions`: sign out everywhere; every token issued before stops working. 204. */
export function createSignOutEverywhere(auth: ResolvedAuth) {
  return accountRoute(auth, 'signOutEverywhere', async (req, res) => {
    // Cookie mode: checked before anything changes (a cross-origin one is a 403); the dead cookie goes.
    const browser = cookieRequest(auth, req);
    const user = await auth.users.findById(req.user!.id);
    if (user) await endAllSessions(auth.users, user);
    if (browser) clearRefreshCookie(auth, req, res);
    res.status(204).end();
  });
}

/**
 * `POST /users`: self-registration with `username`, `password` and an
 * optional `email`. Mount it only where sign-up is wanted. A taken username is
 * a 409, which necessarily tells that the name exists, so requests are
 * limited per client IP (`rateLimits.registrationsPerHour`).
 */
export function createRegister(auth: ResolvedAuth) {
  const register = accountRoute(
    auth,
    'register',
    async (req, res) => {
      await auth.rateLimits?.request('register', req.ip ?? 'unknown');
      const body = bodyOf(req);
      const username = readParam(body, 'username');
      const password = readParam(body, 'password');
      const email = readParam(body, 'email');
      if (username === undefined || password === undefined) throw new InvalidRequestError('Parameters "username" and "password" are required');
      const problem = usernameProblem(username) ?? newPasswordProblem(auth.passwords, password) ?? (email === undefined ? undefined : emailProblem(email));
      if (problem) throw new InvalidRequestError(capitalize(problem));
      try {
        const user = await auth.users.create({ username, email: email ?? null, passwordHash: await auth.passwords.hash(password) });
        res.status(201).json(publicUser(user));
      } catch (err) {
        if (err instanceof UsernameTakenError) throw new UsernameConflictError({ cause: err });
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
