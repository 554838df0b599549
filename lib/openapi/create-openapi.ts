import type { OpenAPIV3_1 } from 'openapi-types';
import type { ResolvedAuth } from '../config/auth-options';
import type { DpopPolicy } from '../core/dpop-policy';
import { bearerResponses, DPOP_SCHEME, dpopParameter, dpopSecurityScheme, dpopTokenOperation, LIBRARY_OPERATIONS, SCHEMAS, tokenRequestSchema } from './library-routes';
import { PROTECTED_KINDS, routeMark, type RouteKind, type RouteMark } from './marks';

type JsonSchema = OpenAPIV3_1.SchemaObject;
type OpenApiOperation = OpenAPIV3_1.OperationObject;
type OpenApiMethod = 'get' | 'put' | 'post' | 'delete' | 'options' | 'head' | 'patch' | 'trace';

/**
 * An OpenAPI 3.1 Path Item whose operations are 3.1 Operation Objects
 * (openapi-types' own `OpenAPIV3_1.PathItemObject` still types them as 3.0's,
 * which 3.1 operations do not fit).
 */
export type OpenApiPathItem = Omit<OpenAPIV3_1.PathItemObject, OpenApiMethod> & { [method in OpenApiMethod]?: OpenApiOperation };

/** The OAuth 2.0 password-flow security scheme (OpenAPI 3.1 §4.8.27). */
export interface OAuth2PasswordScheme {
  type: 'oauth2';
  description?: string;
  flows: { password: { tokenUrl: string; refreshUrl?: string; scopes: Record<string, string> } };
}

/** The name of the security scheme in `components.securitySchemes` (FastAPI's name for the same thing). */
export const SECURITY_SCHEME = 'OAuth2PasswordBearer';

/** What `auth.openapi.document()` takes. */
export interface OpenApiDocumentOptions {
  /** Title and version of your API. Required. */
  info: OpenAPIV3_1.InfoObject;
  /** Your routes: build the operations of guarded routes with `auth.openapi.operation()`. Required. */
  paths: Record<string, OpenApiPathItem>;
  /** Where the API lives. Default none: Swagger UI then calls the server that served the document. */
  servers?: OpenAPIV3_1.ServerObject[];
  /** The token endpoint's URL. Default: the path whose operation was made from `auth.token()`. */
  tokenUrl?: string;
  /** More component schemas, next to the library's User, OAuthError, TokenRequest, TokenResponse and RevokeRequest. Default none. */
  schemas?: Record<string, JsonSchema>;
  /** Tag descriptions. Default none. */
  tags?: { name: string; description?: string }[];
}

/**
 * `auth.openapi`: OpenAPI 3.1 read from the middleware that guards the routes,
 * so the document says exactly what `requireScopes` enforces.
 *
 * @example
 * const admin = auth.requireScopes('admin');
 * app.get('/admin/users', admin, listUsers);
 * const token = auth.token();
 * app.all('/token', token);
 * const doc = auth.openapi.document({
 *   info: { title: 'My API', version: '1.0.0' },
 *   paths: {
 *     '/token': { post: auth.openapi.operation(token) },
 *     '/admin/users': { get: auth.openapi.operation(admin, { summary: 'List users', responses: { '200': { description: 'The users' } } }) },
 *   },
 * });
 * app.get('/openapi.json', (_req, res) => { res.json(doc); });
 */
export interface OpenApi {
  /**
   * The Operation Object of a route, from the middleware that guards it:
   * `security` (with exactly the scopes `requireScopes` enforces), the
   * 400/401/403 answers with their `WWW-Authenticate` challenge and, for the
   * library's own handlers (token, revoke, account routes), the request body
   * and answers. `operation` adds your summary, description, responses…;
   * it may not set `security`, which only the middleware decides.
   * Throws a TypeError when no function given was made by this auth.
   */
  operation(route: RouteHandler | readonly RouteHandler[], operation?: OpenApiOperation): OpenApiOperation;
  /**
   * The OAuth2 password-flow security scheme: `tokenUrl` (also the
   * `refreshUrl`), and the scopes of the `scopes` option with their
   * descriptions, plus `extraScopes` (scopes routes use that were not declared).
   */
  securityScheme(tokenUrl: string, extraScopes?: Iterable<string>): OAuth2PasswordScheme;
  /** The whole OpenAPI 3.1 document, its security scheme included. Throws a TypeError for a malformed option. */
  document(options: OpenApiDocumentOptions): OpenAPIV3_1.Document;
}

/** Any middleware function; only those made by createAuth carry what `operation()` reads. */
export type RouteHandler = (...args: never[]) => unknown;

// Operations made by operation() remember what they describe, out of sight of JSON.stringify,
// so document() can find the token endpoint and every scope in use.
const DESCRIBES = Symbol('express-jwt-auth.operation');
interface Described {
  kind: RouteKind;
  scopes: readonly string[];
  /** The operation accepts the DPoP scheme, so the document must define it. */
  dpop: boolean;
}

const METHODS: readonly OpenApiMethod[] = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'];

/** What a document made by `document()` says about the library's endpoints: discovery metadata reads it (./metadata.ts). */
export interface DocumentFacts {
  /** The resolved options of the createAuth whose `openapi` made it. */
  readonly owner: ResolvedAuth;
  /** The token endpoint: a path, or the absolute `tokenUrl` given. */
  readonly tokenUrl: string;
  /** Paths described with auth.revoke() and auth.jwks(), in document order. */
  readonly revokePaths: readonly string[];
  readonly jwksPaths: readonly string[];
  /** The scopes of the security scheme: declared ones, then others routes use. */
  readonly scopes: readonly string[];
}

// Documents made by document(), with what they say: kept aside, out of sight of JSON.stringify.
const FACTS = new WeakMap<object, DocumentFacts>();

/** What `document` (made by some auth.openapi.document()) says; undefined for any other object. */
export function documentFacts(document: unknown): DocumentFacts | undefined {
  return typeof document === 'object' && document !== null ? FACTS.get(document) : undefined;
}

/** Builds `auth.openapi` for one createAuth. */
export function createOpenApi(auth: ResolvedAuth): OpenApi {
  const declared: Readonly<Record<string, string>> = auth.scopes ?? {};

  function marksOf(route: RouteHandler | readonly RouteHandler[]): RouteMark[] {
    const handlers: readonly unknown[] = Array.isArray(route) ? route : [route];
    const marks = handlers.map(routeMark).filter((mark): mark is RouteMark => mark !== undefined);
    if (marks.length === 0) {
      throw new TypeError('operation: route must be middleware made by createAuth (auth.authenticate(), auth.requireScopes(…), auth.token()…)');
    }
    if (marks.some((mark) => mark.owner !== auth)) throw new TypeError('operation: route was made by another createAuth');
    return marks;
  }

  function operation(route: RouteHandler | readonly RouteHandler[], extra: OpenApiOperation = {}): OpenApiOperation {
    if (typeof extra !== 'object' || extra === null) throw new TypeError('operation: operation must be an object');
    if (Object.hasOwn(extra, 'security')) throw new TypeError('operation: security comes from the route\'s middleware and cannot be set');
    const marks = marksOf(route);
    const handlers = marks.filter((mark) => mark.kind !== 'authenticate' && mark.kind !== 'requireScopes');
    if (handlers.length > 1) throw new TypeError(`operation: route has two handlers (${handlers.map((m) => m.kind).join(', ')})`);
    const kind = handlers[0]?.kind ?? (marks.some((mark) => mark.kind === 'requireScopes') ? 'requireScopes' : 'authenticate');
    const scopes = [...new Set(marks.flatMap((mark) => mark.scopes))];
    const guards = marks.filter((mark) => PROTECTED_KINDS.has(mark.kind));
    const isProtected = guards.length > 0;
    const dpop = routePolicy(guards);
    const algs = auth.dpop.algorithms;

    const library = structuredClone(LIBRARY_OPERATIONS[kind]);
    const base = cookieMode(kind === 'token' ? dpopTokenOperation(library, auth.dpop.policy) : library, kind);
    const parameters = [...(base.parameters ?? []), ...(isProtected && dpop !== 'off' ? [dpopParameter(dpop === 'required', true)] : []), ...(extra.parameters ?? [])];
    const result: OpenApiOperation = {
      ...base,
      ...extra,
      ...(parameters.length > 0 && { parameters }),
      responses: { ...(isProtected ? bearerResponses(scopes, dpop, algs) : {}), ...base.responses, ...extra.responses },
      // RFC 9449 §7.1: the schemes the route accepts, as alternatives; the scopes hold for either.
      ...(isProtected && {
        security: [
          ...(dpop !== 'required' ? [{ [SECURITY_SCHEME]: scopes }] : []),
          ...(dpop !== 'off' ? [{ [DPOP_SCHEME]: scopes }] : []),
        ],
      }),
    };
    const described: Described = { kind, scopes, dpop: isProtected && dpop !== 'off' };
    Object.defineProperty(result, DESCRIBES, { value: described, enumerable: false });
    return result;
  }

  /** In cookie mode, what the cookie endpoints add: the CSRF header, the refresh-token Set-Cookie, the cross-site 403. */
  function cookieMode(operation: OpenApiOperation, kind: RouteKind): OpenApiOperation {
    const cookies = auth.cookies;
    if (cookies === undefined || (kind !== 'token' && kind !== 'revoke' && kind !== 'signOutEverywhere')) return operation;
    const header = cookies.csrfHeaderName;
    const cookieOps = { token: 'refresh from it, and get the refresh token set as it', revoke: 'log out with it', signOutEverywhere: 'have it cleared' }[kind];
    operation.parameters = [
      {
        name: header,
        in: 'header',
        required: false,
        description: `Cookie mode: send it (any value) from a page to ${cookieOps}; the refresh token then travels only in an HttpOnly cookie.`,
        schema: { type: 'string' },
      },
    ];
    const ok = operation.responses?.['200'];
    if (kind === 'token' && ok !== undefined && !('$ref' in ok)) {
      // One Set-Cookie entry describes every cookie this answer may set: the device cookie's, if any, and the refresh token's.
      const before = ok.headers?.['Set-Cookie'];
      const earlier = before !== undefined && 'description' in before && before.description ? `${before.description} ` : '';
      ok.headers = {
        ...ok.headers,
        'Set-Cookie': {
          description: `${earlier}Cookie mode, with the ${header} header: the refresh token (${cookies.name}, __Host-/__Secure- over https), HttpOnly; SameSite=Strict; Secure over https. It is then absent from the body.`,
          schema: { type: 'string' },
        },
      };
    }
    operation.responses = {
      ...operation.responses,
      '403': {
        description: `Cookie mode: a request with the ${header} header from an origin that is not allowed (\`invalid_request\`). Nothing was read, set or revoked.`,
        content: { 'application/json': { schema: { $ref: '#/components/schemas/OAuthError' } } },
      },
    };
    return operation;
  }

  function securityScheme(tokenUrl: string, extraScopes: Iterable<string> = []): OAuth2PasswordScheme {
    if (typeof tokenUrl !== 'string' || tokenUrl === '') throw new TypeError('securityScheme: tokenUrl must be a non-empty string');
    const scopes: Record<string, string> = {};
    for (const scope of extraScopes) scopes[scope] = '';
    Object.assign(scopes, declared);
    return {
      type: 'oauth2',
      description: 'Log in with a username and password at the token endpoint; send the access token as `Authorization: Bearer <token>`.',
      // RFC 6749 §6: the refresh grant goes to the same token endpoint.
      flows: { password: { tokenUrl, refreshUrl: tokenUrl, scopes } },
    };
  }

  function document(options: OpenApiDocumentOptions): OpenAPIV3_1.Document {
    if (typeof options !== 'object' || options === null) throw new TypeError('document: options must be an object');
    const { info, paths } = options;
    if (typeof info !== 'object' || info === null || typeof info.title !== 'string' || typeof info.version !== 'string') {
      throw new TypeError('document: info must have a title and a version');
    }
    if (typeof paths !== 'object' || paths === null) throw new TypeError('document: paths must be an object');

    const tokenPaths: string[] = [];
    const revokePaths: string[] = [];
    const jwksPaths: string[] = [];
    const used = new Set<string>();
    let dpopUsed = false;
    for (const [path, item] of Object.entries(paths)) {
      if (!path.startsWith('/')) throw new TypeError(`document: path "${path}" must start with "/"`);
      for (const method of METHODS) {
        const described = (item?.[method] as { [DESCRIBES]?: Described } | undefined)?.[DESCRIBES];
        if (!described) continue;
        if (described.kind === 'token') tokenPaths.push(path);
        if (described.kind === 'revoke') revokePaths.push(path);
        if (described.kind === 'jwks') jwksPaths.push(path);
        for (const scope of described.scopes) used.add(scope);
        dpopUsed ||= described.dpop;
      }
    }
    const tokenUrl = options.tokenUrl ?? tokenPaths[0];
    if (tokenUrl === undefined) {
      throw new TypeError('document: no path is described with auth.openapi.operation(auth.token()); describe it or pass tokenUrl');
    }

    const scheme = securityScheme(tokenUrl, used);
    const result: OpenAPIV3_1.Document = {
      openapi: '3.1.0',
      info,
      ...(options.servers && { servers: options.servers }),
      // Our path items are 3.1 throughout; openapi-types types Document.paths with 3.0 operations.
      paths: paths as OpenAPIV3_1.PathsObject,
      components: {
        securitySchemes: {
          [SECURITY_SCHEME]: scheme,
          ...(dpopUsed && { [DPOP_SCHEME]: dpopSecurityScheme(auth.dpop.algorithms) }),
        },
        schemas: { ...schemas(), TokenRequest: tokenRequestSchema(auth.grants), ...options.schemas },
      },
      ...(options.tags && { tags: options.tags }),
    };
    FACTS.set(result, Object.freeze({ owner: auth, tokenUrl, revokePaths, jwksPaths, scopes: Object.keys(scheme.flows.password.scopes) }));
    return result;
  }

  /** The library's schemas; TokenResponse's token_type says "DPoP" too when the token endpoint binds tokens (RFC 9449 §5). */
  function schemas(): Record<string, JsonSchema> {
    const copy = structuredClone(SCHEMAS) as Record<string, JsonSchema>;
    if (auth.dpop.policy !== 'off') {
      copy.TokenResponse.properties!.token_type = {
        type: 'string',
        enum: ['Bearer', 'DPoP'],
        description: '"DPoP" when the request carried a DPoP proof: the access token is bound to its key (`cnf.jkt`) and needs a proof with every use.',
      };
    }
    return copy;
  }

  return { operation, securityScheme, document };
}

/**
 * The DPoP policy a chain of guards enforces (RFC 9449 §7): a scheme is
 * accepted only if every guard accepts it, since each runs in turn.
 */
function routePolicy(guards: readonly RouteMark[]): DpopPolicy {
  const bearer = guards.every((mark) => mark.dpop !== 'required');
  const dpop = guards.every((mark) => mark.dpop !== 'off');
  if (bearer && dpop) return 'allowed';
  if (dpop) return 'required';
  if (bearer) return 'off';
  // Guards that contradict each other admit nothing; describe the last one, which answers the client.
  return guards.at(-1)?.dpop ?? 'off';
}
