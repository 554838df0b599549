/** An account as the stores keep it. */
export interface User {
  /** Opaque, stable id; the `sub` claim (RFC 7519 §4.1.2: always a string). */
  id: string;
  /** Unique by `usernameKey` (regardless of case, width and Unicode form); stored as `normalizeUsername` makes it. */
  username: string;
  email: string | null;
  /** argon2id PHC string. Never leaves the server: see {@link publicUser}. */
  passwordHash: string;
  /** Scopes this user may be granted. */
  scopes: string[];
  /** A disabled user can neither log in nor use tokens issued earlier. */
  disabled: boolean;
  /**
   * Token epoch: every access and refresh token carries the epoch it was issued
   * in, and only tokens of the current epoch work. A password change, disabling
   * the user, or "sign out everywhere" bumps it.
   */
  tokenEpoch: number;
  /**
   * When the account was made; never changes. With `id` it names the account
   * in its device cookies, so a store must return the same instant every
   * time (a store that reuses ids relies on it to tell two accounts apart).
   */
  createdAt: Date;
  updatedAt: Date;
}

/** What `req.user` holds: the account without its password hash. */
export type PublicUser = Omit<User, 'passwordHash'>;

/** The account without the password hash, safe to send or log. */
export function publicUser(user: User): PublicUser {
  const { passwordHash: _omitted, ...rest } = user;
  return rest;
}

/** The claims of an access token this library issued and verified. */
export interface AccessTokenClaims {
  iss: string;
  aud: string | string[];
  sub: string;
  iat: number;
  exp: number;
  nbf?: number;
  jti: string;
  client_id?: string;
  /** Space-separated scopes (RFC 8693 §4.2). */
  scope?: string;
  /** The user's token epoch when the token was issued; only the current epoch is accepted. */
  epoch?: number;
  /**
   * Confirmation (RFC 7800): present on a sender-constrained token, which is
   * never accepted as a bearer token. `jkt` is the RFC 7638 thumbprint of the
   * DPoP key it is bound to (RFC 9449 §6.1).
   */
  cnf?: { jkt?: string; [member: string]: unknown };
  [claim: string]: unknown;
}

/** What `req.auth` holds after `authenticate()`: the verified claims and the granted scopes. */
export interface RequestAuth<Claims extends AccessTokenClaims = AccessTokenClaims> {
  claims: Claims;
  scopes: string[];
}

// Declaration merging into Express's own namespace (from @types/express-serve-static-core), so that
// `req.user` and `req.auth` are typed with nothing else installed. `user` is declared exactly as
// @types/passport declares it, so an app that also has @types/passport gets one consistent property.
declare global {
  // eslint-disable-next-line @typescript-eslint/no-namespace
  namespace Express {
    /** After authenticate(), req.user is the caller's account, without its password hash. */
    // eslint-disable-next-line @typescript-eslint/no-empty-object-type
    interface User extends PublicUser {}
    interface Request {
      /** Set by authenticate(), requireScopes() and the jwt/local strategies: the caller. */
      user?: User | undefined;
      /** Set by authenticate(): the verified token claims and scopes. */
      auth?: RequestAuth | undefined;
    }
  }
}
