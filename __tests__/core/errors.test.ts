import { CredentialsRequiredError, InsufficientScopeError, InvalidGrantError, InvalidRequestError, InvalidScopeError, InvalidTokenError, MethodNotAllowedError, PayloadTooLargeError, UnsupportedGrantTypeError } from '../../lib/core/errors';

describe('errors', () => {
  it.each([
    [new CredentialsRequiredError(), 401, undefined],
    [new InvalidRequestError('x'), 400, 'invalid_request'],
    [new InvalidTokenError(), 401, 'invalid_token'],
    [new InsufficientScopeError('admin'), 403, 'insufficient_scope'],
    [new InvalidGrantError(), 400, 'invalid_grant'],
    [new InvalidScopeError(), 400, 'invalid_scope'],
    [new UnsupportedGrantTypeError(), 400, 'unsupported_grant_type'],
    [new MethodNotAllowedError(), 405, 'invalid_request'],
    [new PayloadTooLargeError(), 413, 'invalid_request'],
  ])('%s carries status %s and code %s', (error, status, code) => {
    expect(error.status).toBe(status);
    expect(error.code).toBe(code);
    expect(error.toJSON().error).toBe(code);
    expect(error.name).toBe(error.constructor.name);
  });

  it('keeps the detailed reason as cause, out of the body and the challenge', () => {
    const error = new InvalidTokenError(undefined, { cause: new Error('kid ../etc'), realm: 'api' });
    expect((error.cause as Error).message).toBe('kid ../etc');
    expect(JSON.stringify(error.toJSON()) + error.headers['WWW-Authenticate']).not.toContain('kid');
  });

  it('puts the needed scope into an insufficient_scope challenge', () => {
    expect(new InsufficientScopeError('admin').withChallenge('api').headers['WWW-Authenticate']).toContain('scope="admin"');
  });

  it('keeps error_description to the characters RFC 6749 §5.2 allows: no quote, backslash or control, in the body and the challenge', () => {
    const error = new InvalidRequestError('Field "a\\b"\r\nSet-Cookie: x cannot be changed', { realm: 'api' });
    for (const text of [error.toJSON().error_description, error.headers['WWW-Authenticate']!.split('error_description=')[1].slice(1, -1)]) {
      expect(text).toBe('Field abSet-Cookie: x cannot be changed');
    }
  });
});
