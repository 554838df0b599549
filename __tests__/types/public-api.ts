/**
 * Type-level test of the public API, checked by `tsc` (npm run typecheck) and
 * by types.test.ts. Each `@ts-expect-error [TSnnnn]` line must fail to
 * compile, with that error: if a type loosens (req.user becomes any, an
 * option accepts anything…), the directive is unused and tsc fails.
 * Not a jest test file: jest runs *.test.ts only.
 */
import express from 'express';
import {
  createAuth,
  MemoryUserStore,
  type AccessTokenClaims,
  type AuthOptions,
  type FailureEvent,
  type FailureReason,
  type PublicUser,
  type RequestAuth,
} from '../../lib';
import type { OpenAPIV3_1 } from 'openapi-types';

type OpenApiDocument = OpenAPIV3_1.Document;
type OpenApiOperation = OpenAPIV3_1.OperationObject;

/** true when A and B are assignable both ways. */
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
const same = <T extends true>(): T | undefined => undefined;

const users = new MemoryUserStore();
const base = { secret: 'a-secret-of-at-least-thirty-two-bytes!!', issuer: 'https://issuer.example', audience: 'api', users };
const options: AuthOptions = base;
const auth = createAuth(options);
export const app = express();

// req.user after authenticate(): Express.User, made the public user by declaration merging (not redeclared).
app.get('/users/me', auth.authenticate(), (req, res) => {
  same<Same<typeof req.user, Express.User | undefined>>();
  same<Same<Express.User, PublicUser>>();
  const user = req.user!;
  const username: string = user.username;
  const scopes: string[] = user.scopes;
  // @ts-expect-error [TS2339] the password hash never reaches a handler
  const hash = user.passwordHash;
  // @ts-expect-error [TS2322] username is a string, not any
  const wrong: number = user.username;
  const sub: string = req.auth!.claims.sub;
  const granted: string[] = req.auth!.scopes;
  res.json({ username, scopes, sub, granted, hash, wrong });
});

// Options: one interface; unknown keys and wrong types do not compile.
// @ts-expect-error [TS2561] an unknown option (a typo) is an error, not ignored
createAuth({ ...base, issuerr: 'https://issuer.example' });
// @ts-expect-error [TS2322] issuer is a string
createAuth({ ...base, issuer: 42 });
// @ts-expect-error [TS2345] users is required
createAuth({ secret: base.secret, issuer: base.issuer, audience: base.audience });
// @ts-expect-error [TS2322] accessTokenTtl is seconds or a duration like "15m"
createAuth({ ...base, accessTokenTtl: true });
// @ts-expect-error [TS2322] scope descriptions are strings
createAuth({ ...base, scopes: { admin: 1 } });
createAuth({ ...base, accessTokenTtl: '15m', refreshTokenTtl: 30 * 86400, scopes: { admin: 'Manage every account' } });

// Hooks: typed events, and the login's user has no hash either.
createAuth({
  ...base,
  onLogin: (event) => {
    const loggedIn: PublicUser = event.user;
    // @ts-expect-error [TS2339] no hash in the login event
    const leaked = event.user.passwordHash;
    return [loggedIn, leaked];
  },
  onFailure: (event: FailureEvent) => {
    const reason: FailureReason = event.reason;
    // @ts-expect-error [TS2322] the reason is one of the documented codes, not any string
    const unknownReason: FailureReason = 'token.stolen';
    const detail: string = event.detail;
    const status: number = event.error.status;
    return [reason, status, unknownReason, detail];
  },
});

// Claims: generic, constrained to access-token claims; unknown claims are unknown, not any.
interface TenantClaims extends AccessTokenClaims {
  tenant: string;
}
declare const tenantAuth: RequestAuth<TenantClaims>;
export const tenant: string = tenantAuth.claims.tenant;
export const tenantScopes: string[] = tenantAuth.scopes;
declare const plainAuth: RequestAuth;
// @ts-expect-error [TS2322] an extra claim of the default claims type is unknown
export const notAny: string = plainAuth.claims.tenant;
// @ts-expect-error [TS2344] the claims type must be access-token claims
export type NotClaims = RequestAuth<{ tenant: string }>;

// OpenAPI: operations come from the middleware; a response needs its description.
export const adminOperation: OpenApiOperation = auth.openapi.operation(auth.requireScopes('admin'), { summary: 'Admins only' });
// @ts-expect-error [TS2345] operation() takes middleware, not a path
auth.openapi.operation('/users/me');
// @ts-expect-error [TS2322] a response needs a description
auth.openapi.operation(auth.authenticate(), { responses: { '200': {} } });
export const document: OpenApiDocument = auth.openapi.document({ info: { title: 'API', version: '1' }, paths: {}, tokenUrl: '/token' });

// DPoP: the policy is one of three words, per app and per route; proofs are asymmetric.
// @ts-expect-error [TS2322] dpop is "off", "allowed" or "required"
createAuth({ ...base, dpop: 'sometimes' });
// @ts-expect-error [TS2820] DPoP proofs are never HMAC
createAuth({ ...base, dpop: 'allowed', dpopAlgorithms: ['HS256'] });
export const strict = auth.authenticate({ dpop: 'required' });
export const strictAdmin = auth.requireScopes('admin', 'read', { dpop: 'required' });
// @ts-expect-error [TS2322] a route's dpop is one of the three words too
auth.authenticate({ dpop: 'maybe' });
