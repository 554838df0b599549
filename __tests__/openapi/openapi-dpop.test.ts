import { createAuth } from '../../lib/create-auth';
import type { AuthOptions } from '../../lib/config/auth-options';
import { MemoryUserStore } from '../../lib/stores/memory/users';
import { AUDIENCE, ISSUER, SECRET } from '../helpers';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Json = any;

const OAUTH = 'OAuth2PasswordBearer';

/**
 * The OpenAPI document says what the DPoP policy of each route enforces
 * (RFC 9449 §7): the DPoP scheme beside the OAuth2 one where both are
 * accepted, alone where DPoP is required, absent where it is off.
 */
function documented(options: Partial<AuthOptions>) {
  const auth = createAuth({ secret: SECRET, issuer: ISSUER, audience: AUDIENCE, users: new MemoryUserStore(), ...options });
  const token = auth.token();
  const describe = (guard: Parameters<typeof auth.openapi.operation>[0]) => {
    const doc: Json = auth.openapi.document({
      info: { title: 'T', version: '1' },
      paths: { '/token': { post: auth.openapi.operation(token) }, '/r': { get: auth.openapi.operation(guard) } },
    });
    return { doc, op: doc.paths['/r'].get, tokenOp: doc.paths['/token'].post };
  };
  return { auth, describe };
}

const dpopParameter = (op: Json) => (op.parameters ?? []).find((p: Json) => p.in === 'header' && p.name === 'DPoP');

describe('auth.openapi with DPoP', () => {
  it('with dpop "allowed", offers the DPoP http scheme as an alternative to the OAuth2 one, with the same scopes', () => {
    const { auth, describe } = documented({ dpop: 'allowed' });
    const { doc, op, tokenOp } = describe(auth.requireScopes('admin'));
    expect(doc.components.securitySchemes.DPoP).toEqual({ type: 'http', scheme: 'DPoP', description: expect.stringContaining('RFC 9449') });
    expect(op.security).toEqual([{ [OAUTH]: ['admin'] }, { DPoP: ['admin'] }]);
    expect(dpopParameter(op)).toMatchObject({ required: false, schema: { type: 'string' } });
    expect(op.responses['401'].description).toMatch(/invalid_dpop_proof.*use_dpop_nonce/s);
    expect(op.responses['401'].headers['WWW-Authenticate'].description).toContain('DPoP realm="api"');
    // The token endpoint takes a proof and may answer token_type DPoP.
    expect(dpopParameter(tokenOp)).toMatchObject({ required: false });
    expect(tokenOp.responses['400'].description).toMatch(/invalid_dpop_proof.*use_dpop_nonce/s);
    expect(doc.components.schemas.TokenResponse.properties.token_type.enum).toEqual(['Bearer', 'DPoP']);
  });

  it('with dpop "required", lists the DPoP scheme alone and the DPoP header as required', () => {
    const { auth, describe } = documented({ dpop: 'required' });
    const { op, tokenOp } = describe(auth.authenticate());
    expect(op.security).toEqual([{ DPoP: [] }]);
    expect(dpopParameter(op)).toMatchObject({ required: true });
    expect(dpopParameter(tokenOp)).toMatchObject({ required: true });
  });

  it('follows a route\'s own policy, the strictest of a route\'s guards', () => {
    const { auth, describe } = documented({ dpop: 'allowed' });
    expect(describe(auth.authenticate({ dpop: 'required' })).op.security).toEqual([{ DPoP: [] }]);
    expect(describe(auth.authenticate({ dpop: 'off' })).op.security).toEqual([{ [OAUTH]: [] }]);
    expect(describe([auth.authenticate(), auth.requireScopes('admin', { dpop: 'required' })]).op.security).toEqual([{ DPoP: ['admin'] }]);
  });

  it('with dpop "off" (the default), mentions no DPoP at all', () => {
    const { auth, describe } = documented({});
    const { doc, op, tokenOp } = describe(auth.authenticate());
    expect(Object.keys(doc.components.securitySchemes)).toEqual([OAUTH]);
    expect(op.security).toEqual([{ [OAUTH]: [] }]);
    expect(dpopParameter(op)).toBeUndefined();
    expect(dpopParameter(tokenOp)).toBeUndefined();
    expect(JSON.stringify(doc)).not.toMatch(/dpop/i);
  });

  it('defines the DPoP scheme when only one route allows it', () => {
    const { auth, describe } = documented({});
    const { doc, op } = describe(auth.authenticate({ dpop: 'allowed' }));
    expect(op.security).toEqual([{ [OAUTH]: [] }, { DPoP: [] }]);
    expect(doc.components.securitySchemes.DPoP).toMatchObject({ type: 'http', scheme: 'DPoP' });
  });
});
