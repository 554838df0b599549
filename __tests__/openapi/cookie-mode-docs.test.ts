import { createAuth } from '../../lib/create-auth';
import { MemoryUserStore } from '../../lib/stores/memory/users';
import { AUDIENCE, ISSUER, SECRET } from '../helpers';

/** The OpenAPI operations of the cookie endpoints say what cookie mode does, and only in cookie mode. */
describe('OpenAPI in cookie mode', () => {
  const make = (cookies: boolean) => createAuth({ secret: SECRET, issuer: ISSUER, audience: AUDIENCE, users: new MemoryUserStore(), ...(cookies && { cookies: { csrfHeader: 'X-CSRF' } }) });

  it('documents the CSRF header, the Set-Cookie of the token endpoint and the 403 of a cross-site cookie request', () => {
    const auth = make(true);
    for (const handler of [auth.token(), auth.revoke(), auth.signOutEverywhere()]) {
      const operation = auth.openapi.operation(handler);
      expect(operation.parameters).toEqual([expect.objectContaining({ name: 'X-CSRF', in: 'header', required: false })]);
      expect(operation.responses!['403']).toMatchObject({ description: expect.stringMatching(/^Cookie mode: a request with the X-CSRF header from an origin that is not allowed/) });
    }
    const token = auth.openapi.operation(auth.token()).responses!['200'] as { headers: Record<string, unknown> };
    // Both cookies the answer may set: the device cookie and, in cookie mode, the refresh token.
    expect(token.headers['Set-Cookie']).toMatchObject({ description: expect.stringMatching(/device cookie.*Cookie mode, with the X-CSRF header: the refresh token/s) });
  });

  it('says nothing of the refresh-token cookie or a CSRF header without cookie mode', () => {
    const auth = make(false);
    const operation = auth.openapi.operation(auth.token());
    expect(operation.parameters).toBeUndefined();
    expect(operation.responses!['403']).toBeUndefined();
    expect(JSON.stringify(operation)).not.toMatch(/refresh token \(|Cookie mode|X-CSRF|X-Requested-With/);
  });
});
