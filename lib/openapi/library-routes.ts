import type { OpenAPIV3_1 } from 'openapi-types';
import type { DpopPolicy } from '../core/dpop-policy';
import type { GrantRegistry } from '../grants/registry';
import type { RouteKind } from './marks';

type JsonSchema = OpenAPIV3_1.SchemaObject;
type OpenApiHeader = OpenAPIV3_1.HeaderObject;
type OpenApiOperation = OpenAPIV3_1.OperationObject;
type OpenApiRequestBody = OpenAPIV3_1.RequestBodyObject;
type OpenApiResponse = OpenAPIV3_1.ResponseObject;

/**
 * What the library's own routes accept and answer, as OpenAPI: the schemas
 * every document gets, and one operation per kind of middleware. Kept next
 * to nothing else so that a change to a handler's contract has one place to
 * be written down.
 */

const ref = (name: string): OpenAPIV3_1.ReferenceObject => ({ $ref: `#/components/schemas/${name}` });
const json = (schema: JsonSchema | OpenAPIV3_1.ReferenceObject) => ({ 'application/json': { schema } });

/** The component schemas every document carries (TokenRequest comes from the grant registry: see tokenRequestSchema). */
export const SCHEMAS: Readonly<Record<string, JsonSchema>> = {
  User: {
    type: 'object',
    description: 'An account as the API shows it: never with its password hash.',
    required: ['id', 'username', 'email', 'scopes', 'disabled', 'tokenEpoch', 'createdAt', 'updatedAt'],
    properties: {
      id: { type: 'string', description: 'Opaque, stable id; the `sub` of its tokens.' },
      username: { type: 'string' },
      email: { type: ['string', 'null'], format: 'idn-email' },
      scopes: { type: 'array', items: { type: 'string' }, description: 'Scopes this user may be granted.' },
      disabled: { type: 'boolean' },
      tokenEpoch: { type: 'integer', description: 'Bumped by a password change, disabling, or sign-out everywhere; older tokens stop working.' },
      createdAt: { type: 'string', format: 'date-time' },
      updatedAt: { type: 'string', format: 'date-time' },
    },
  },
  OAuthError: {
    type: 'object',
    description: 'RFC 6749 §5.2 / RFC 6750 §3.1 error body.',
    required: ['error_description'],
    properties: {
      error: {
        type: 'string',
        description: 'The error code; absent when a protected route got no credentials at all (RFC 6750 §3).',
        examples: ['invalid_request', 'invalid_grant', 'invalid_token', 'insufficient_scope'],
      },
      error_description: { type: 'string', description: 'Human-readable; safe to show.' },
    },
  },
  TokenResponse: {
    type: 'object',
    description: 'RFC 6749 §5.1. The access token is an RFC 9068 JWT.',
    required: ['access_token', 'token_type', 'expires_in', 'scope'],
    properties: {
      access_token: { type: 'string' },
      token_type: { type: 'string', enum: ['Bearer'] },
      expires_in: { type: 'integer', description: 'Seconds until the access token expires.' },
      refresh_token: { type: 'string', description: 'Absent when refresh tokens are switched off, and in cookie mode, where it travels in an HttpOnly cookie. Rotated on every use.' },
      scope: { type: 'string', description: 'The granted scopes, space-separated.' },
    },
  },
  RevokeRequest: {
    type: 'object',
    description: 'RFC 7009 §2.1.',
    required: ['token'],
    properties: {
      token: { type: 'string', description: 'A refresh token (ends its whole family) or an access token.' },
      token_type_hint: { type: 'string', enum: ['refresh_token', 'access_token'] },
    },
  },
};

/**
 * The token endpoint's request schema, from the grants it really offers: the
 * `grant_type` enum and every grant's parameters, so the document cannot
 * describe a grant the endpoint refuses.
 */
export function tokenRequestSchema(grants: GrantRegistry): JsonSchema {
  const properties: Record<string, JsonSchema> = { grant_type: { type: 'string', enum: grants.types } };
  const described: string[] = [];
  for (const grant of grants.all()) {
    const names = Object.keys(grant.parameters).filter((name) => name !== 'scope');
    described.push(`grant_type=${grant.type}${names.length > 0 ? ` with ${names.join(', ')}` : ''}`);
    for (const [name, parameter] of Object.entries(grant.parameters)) {
      properties[name] ??= { type: 'string', ...parameter };
    }
  }
  return {
    type: 'object',
    description: `${described.join('; ')}. scope is optional: without it the user gets every scope they hold.`,
    required: ['grant_type'],
    properties,
  };
}

const NO_STORE_HEADERS: Record<string, OpenApiHeader> = {
  'Cache-Control': { schema: { type: 'string', enum: ['no-store'] } },
  Pragma: { schema: { type: 'string', enum: ['no-cache'] } },
};

const challenge = (example: string): Record<string, OpenApiHeader> => ({
  'WWW-Authenticate': { description: `RFC 6750 §3 challenge, e.g. \`${example}\``, required: true, schema: { type: 'string' } },
});

const errorResponse = (description: string, headers?: Record<string, OpenApiHeader>): OpenApiResponse => ({
  description,
  ...(headers && { headers }),
  content: json(ref('OAuthError')),
});

/** Both body encodings the library's routes parse. */
function body(schema: JsonSchema | OpenAPIV3_1.ReferenceObject, description?: string): OpenApiRequestBody {
  return {
    required: true,
    ...(description && { description }),
    content: { 'application/x-www-form-urlencoded': { schema }, 'application/json': { schema } },
  };
}

/** The answers of any route behind a bearer token, under its DPoP policy (RFC 9449 §7.1: the challenges it sends). */
export function bearerResponses(scopes: readonly string[], dpop: DpopPolicy = 'off', algs: readonly string[] = []): Record<string, OpenApiResponse> {
  // The challenge as the client sees it: Bearer, DPoP (with algs) or both, the error on the scheme it used.
  const algsParam = `algs="${algs.join(' ')}"`;
  const example = (error: string, extra = '') =>
    dpop === 'off'
      ? `Bearer realm="api", error="${error}"${extra}`
      : dpop === 'required'
        ? `DPoP realm="api", error="${error}"${extra}, ${algsParam}`
        : `Bearer realm="api", error="${error}"${extra}, DPoP realm="api", ${algsParam}`;
  const dpopErrors =
    dpop === 'off'
      ? ''
      : ' With the DPoP scheme, on its challenge: `invalid_dpop_proof` (the `DPoP` proof fails a check of RFC 9449 §4.3, or was used before) or `use_dpop_nonce` (retry with the nonce in `DPoP-Nonce`, §8); a DPoP-bound token sent as Bearer is `invalid_token`.';
  return {
    '400': errorResponse('`invalid_request`: a malformed Authorization header, or the token sent more than once.', challenge(example('invalid_request'))),
    '401': errorResponse(
      `No access token (no \`error\` in the body), or \`invalid_token\`: expired, revoked, signed by someone else, or its user disabled.${dpopErrors}`,
      dpop === 'off' ? challenge(example('invalid_token')) : { ...challenge(example('invalid_token')), ...DPOP_NONCE },
    ),
    ...(scopes.length > 0 && {
      '403': errorResponse(
        `\`insufficient_scope\`: the token lacks ${scopes.map((s) => `\`${s}\``).join(', ')}.`,
        challenge(example('insufficient_scope', `, scope="${scopes.join(' ')}"`)),
      ),
    }),
  };
}

/** The name of the DPoP security scheme in `components.securitySchemes`: the HTTP authentication scheme's own (RFC 9449 §7.1). */
export const DPOP_SCHEME = 'DPoP';

/** The DPoP security scheme (OpenAPI 3.1 §4.8.27, type http: DPoP is in the IANA HTTP Authentication Scheme Registry). */
export function dpopSecurityScheme(algs: readonly string[]): OpenAPIV3_1.HttpSecurityScheme {
  return {
    type: 'http',
    scheme: 'DPoP',
    description:
      'RFC 9449: an access token bound to the client\'s key (ask the token endpoint with a `DPoP` proof; it answers `token_type: "DPoP"`), ' +
      `sent as \`Authorization: DPoP <token>\` with a fresh proof in the \`DPoP\` header of every request. Proof algorithms: ${algs.join(', ')}. ` +
      'An API console such as Swagger UI cannot make proofs: authorize there with the OAuth2 scheme (Bearer tokens).',
  };
}

const DPOP_NONCE: Record<string, OpenApiHeader> = {
  'DPoP-Nonce': { description: 'RFC 9449 §8: the nonce to put in the next DPoP proof, when the server hands them out.', schema: { type: 'string' } },
};

/** The `DPoP` request header (RFC 9449 §4): a proof for this request, at a protected route (`atResource`, with `ath`) or the token endpoint. */
export function dpopParameter(required: boolean, atResource: boolean): OpenAPIV3_1.ParameterObject {
  return {
    name: 'DPoP',
    in: 'header',
    required,
    description: atResource
      ? 'A DPoP proof JWT (RFC 9449 §4.2) for this request: `htm`, `htu`, `iat`, a fresh `jti`, `ath` (the access token\'s hash) and, when the server hands them out, its `DPoP-Nonce`.'
      : 'A DPoP proof JWT (RFC 9449 §4.2) for this request: the issued access token is bound to its key (`token_type: "DPoP"`), and so is the refresh token.',
    schema: { type: 'string' },
  };
}

/** What DPoP adds to the token endpoint's operation under `dpop` (nothing when off). */
export function dpopTokenOperation(operation: OpenApiOperation, dpop: DpopPolicy): OpenApiOperation {
  if (dpop === 'off') return operation;
  const responses = operation.responses ?? {};
  const badRequest = responses['400'] as OpenApiResponse;
  const ok = responses['200'] as OpenApiResponse;
  return {
    ...operation,
    parameters: [...(operation.parameters ?? []), dpopParameter(dpop === 'required', false)],
    responses: {
      ...responses,
      '200': { ...ok, headers: { ...ok.headers, ...DPOP_NONCE } },
      '400': {
        ...badRequest,
        description: `${badRequest.description} With DPoP (RFC 9449 §5, §8): \`invalid_dpop_proof\` (the proof fails a check, was used before${dpop === 'required' ? ', or is missing' : ''}) or \`use_dpop_nonce\` (retry with the nonce in \`DPoP-Nonce\`); a DPoP-bound refresh token without a proof of its key is \`invalid_grant\`.`,
        headers: { ...badRequest.headers, ...DPOP_NONCE },
      },
    },
  };
}

const userResponse = (description: string): OpenApiResponse => ({ description, content: json(ref('User')) });

const RETRY_AFTER: Record<string, OpenApiHeader> = { 'Retry-After': { description: 'Seconds.', schema: { type: 'integer' } } };
/** A password login sets the device cookie (the `deviceCookie` option), unless it is switched off. */
const DEVICE_COOKIE: Record<string, OpenApiHeader> = {
  'Set-Cookie': { description: 'The device cookie (HttpOnly, SameSite=Strict): this client is now a trusted device of the account, for the brute-force limits.', schema: { type: 'string' } },
};

/** Routes that hash a password answer 503 when the hashing queue is full (the `hashing` option). */
const busy = (headers?: Record<string, OpenApiHeader>) => ({
  '503': errorResponse('`temporarily_unavailable`: too many password checks at once; `Retry-After` says when to try again.', { ...headers, ...RETRY_AFTER }),
});

/** The operation each kind of route has before the app adds its own words; `responses` merge by status. */
export const LIBRARY_OPERATIONS: Readonly<Record<RouteKind, OpenApiOperation>> = {
  authenticate: {},
  requireScopes: {},
  token: {
    summary: 'Log in, or refresh an access token',
    description:
      'The OAuth 2.0 token endpoint: the password grant (RFC 6749 §4.3) and the refresh-token grant (§6). ' +
      'A wrong password, an unknown user and a disabled user get the same `invalid_grant`. Client credentials, if sent, are ignored.',
    requestBody: body(ref('TokenRequest')),
    responses: {
      '200': { description: 'Tokens issued (RFC 6749 §5.1).', headers: { ...NO_STORE_HEADERS, ...DEVICE_COOKIE }, content: json(ref('TokenResponse')) },
      '400': errorResponse(
        'RFC 6749 §5.2: `invalid_request`, `invalid_grant` (wrong credentials or a used, expired or revoked refresh token), `invalid_scope` or `unsupported_grant_type`.',
        NO_STORE_HEADERS,
      ),
      '413': errorResponse('`invalid_request`: the body is over the size limit.', NO_STORE_HEADERS),
      '429': errorResponse('Too many attempts; `Retry-After` says when to try again.', { ...NO_STORE_HEADERS, ...RETRY_AFTER }),
      ...busy(NO_STORE_HEADERS),
    },
  },
  revoke: {
    summary: 'Log out: revoke a token',
    description:
      'RFC 7009. A refresh token ends its whole family; an access token stops working before its expiry. ' +
      'Any well-formed request gets 200 with `{}`, whether the token was valid, unknown or already revoked.',
    requestBody: body(ref('RevokeRequest')),
    responses: {
      '200': {
        description: 'Revoked, or nothing to revoke (RFC 7009 §2.2): always the empty object `{}`, which clients may ignore.',
        headers: NO_STORE_HEADERS,
        content: json({ type: 'object', additionalProperties: false, maxProperties: 0 }),
      },
      '400': errorResponse('`invalid_request`: no `token` parameter, or a malformed body.', NO_STORE_HEADERS),
      '413': errorResponse('`invalid_request`: the body is over the size limit.', NO_STORE_HEADERS),
      '429': errorResponse('Too many requests from this address; `Retry-After` says when to try again.', { ...NO_STORE_HEADERS, ...RETRY_AFTER }),
    },
  },
  updateMe: {
    summary: 'Change my email',
    requestBody: body(
      { type: 'object', required: ['email'], properties: { email: { type: ['string', 'null'], format: 'idn-email' } }, additionalProperties: false },
      '`null` or "" clears the email; any other field is refused.',
    ),
    responses: {
      '200': userResponse('The updated account.'),
      '400': errorResponse('`invalid_request`: not an email address (one `@`, at most 254 octets, no control, formatting, invisible or space characters, no empty or misplaced dots), or a field that cannot be changed here.'),
    },
  },
  changePassword: {
    summary: 'Change my password',
    description: 'Ends every earlier session: all access and refresh tokens issued before stop working.',
    requestBody: body({
      type: 'object',
      required: ['current_password', 'new_password'],
      properties: { current_password: { type: 'string', format: 'password' }, new_password: { type: 'string', format: 'password' } },
    }),
    responses: {
      '204': { description: 'Changed; every earlier session is over, every earlier device cookie untrusted, and this client gets a fresh one.', headers: DEVICE_COOKIE },
      '400': errorResponse('`invalid_request` (new password too short or too long) or `invalid_grant` (wrong current password).'),
      '429': errorResponse('Too many wrong current passwords; `Retry-After` says when to try again.', RETRY_AFTER),
      ...busy(),
    },
  },
  signOutEverywhere: {
    summary: 'Sign out everywhere',
    description: 'Every access and refresh token issued to me before now stops working.',
    responses: { '204': { description: 'Signed out everywhere.' } },
  },
  jwks: {
    summary: 'The public keys that verify our tokens (RFC 7517)',
    responses: {
      '200': {
        description: 'A JWK Set of public keys only; empty when tokens are signed with an HMAC secret.',
        content: { 'application/jwk-set+json': { schema: { type: 'object', required: ['keys'], properties: { keys: { type: 'array', items: { type: 'object' } } } } } },
      },
    },
  },
  register: {
    summary: 'Sign up',
    description: 'Limited per client address.',
    requestBody: body({
      type: 'object',
      required: ['username', 'password'],
      properties: { username: { type: 'string' }, password: { type: 'string', format: 'password' }, email: { type: 'string', format: 'idn-email' } },
    }),
    responses: {
      '201': userResponse('The new account.'),
      '400': errorResponse('`invalid_request`: a bad username, password or email.'),
      '409': errorResponse('`username_taken`: the name is taken, or looks like one that is (UTS #39 confusables: `аӏісе` beside `alice`).'),
      '429': errorResponse('Too many sign-ups from this address; `Retry-After` says when to try again.', RETRY_AFTER),
      ...busy(),
    },
  },
};
