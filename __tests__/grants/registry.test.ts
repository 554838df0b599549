import request from 'supertest';
import { GrantRegistry } from '../../lib/grants/registry';
import { passwordGrant } from '../../lib/grants/password';
import { refreshTokenGrant } from '../../lib/grants/refresh-token';
import { expectOAuthError, setup } from '../helpers';

describe('the grant registry', () => {
  it.each(['constructor', '__proto__', 'toString', 'hasOwnProperty', 'valueOf'])(
    'answers grant_type=%s with unsupported_grant_type: only registered grants match',
    async (grantType) => {
      const f = await setup();
      const res = await request(f.app).post('/token').type('form').send({ grant_type: grantType });
      expectOAuthError(res, 400, 'unsupported_grant_type');
      expect(f.failures.at(-1)?.reason).toBe('grant.unsupported');
    },
  );

  it('offers the refresh grant only when refresh tokens are on, at the endpoint and in the OpenAPI enum alike', async () => {
    for (const [refreshTokens, types] of [[true, ['password', 'refresh_token']], [false, ['password']]] as const) {
      const f = await setup({ refreshTokens });
      const token = f.auth.token();
      const doc = f.auth.openapi.document({ info: { title: 'T', version: '1' }, paths: { '/token': { post: f.auth.openapi.operation(token) } } });
      const schema = doc.components?.schemas?.TokenRequest as { properties: { grant_type: { enum: string[] } } };
      expect(schema.properties.grant_type.enum).toEqual(types);
      const refresh = await request(f.app).post('/token').type('form').send({ grant_type: 'refresh_token', refresh_token: 'x' });
      expectOAuthError(refresh, 400, refreshTokens ? 'invalid_grant' : 'unsupported_grant_type');
    }
  });

  it('refuses to register one grant_type twice', () => {
    expect(() => new GrantRegistry([passwordGrant, refreshTokenGrant, passwordGrant])).toThrow(new TypeError('grant_type "password" is registered twice'));
  });
});
