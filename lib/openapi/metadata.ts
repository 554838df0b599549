import type { Request, Response } from 'express';
import type { ResolvedAuth } from '../config/auth-options';
import { discoveryUrlProblem } from '../config/discovery';
import { documentFacts, type DocumentFacts } from './create-openapi';

/**
 * Discovery metadata read from the OpenAPI document the app serves: RFC 8414
 * authorization server metadata and RFC 9728 protected resource metadata.
 * The endpoints are the paths described there with auth.token(),
 * auth.revoke() and auth.jwks(), the grant types come from the grant
 * registry (as the document's `grant_type` enum does) and the scopes are the
 * security scheme's, so neither document can say something the other does not.
 */

/** Options of `auth.metadata()` and `auth.resourceMetadata()`. */
export interface MetadataHandlerOptions {
  /** How long clients and caches may keep the metadata, seconds (`Cache-Control: max-age`). Default 3600. */
  maxAge?: number;
}

/** RFC 8414 §2 authorization server metadata, as this library fills it in. */
export interface AuthorizationServerMetadata {
  issuer: string;
  token_endpoint: string;
  revocation_endpoint?: string;
  jwks_uri?: string;
  grant_types_supported: string[];
  response_types_supported: string[];
  scopes_supported?: string[];
  token_endpoint_auth_methods_supported: string[];
  revocation_endpoint_auth_methods_supported?: string[];
  /** RFC 9449 §5.1: the proof algorithms the token endpoint takes, when DPoP is on. */
  dpop_signing_alg_values_supported?: string[];
}

/** RFC 9728 §2 protected resource metadata, as this library fills it in. */
export interface ProtectedResourceMetadata {
  resource: string;
  authorization_servers?: string[];
  scopes_supported?: string[];
  bearer_methods_supported: string[];
  /** RFC 9728 §2: the DPoP proof algorithms the resource takes, when DPoP is on. */
  dpop_signing_alg_values_supported?: string[];
  /** RFC 9728 §2: true when the resource takes DPoP-bound tokens only. */
  dpop_bound_access_tokens_required?: boolean;
}

function factsFor(auth: ResolvedAuth, document: unknown, caller: string): DocumentFacts {
  const facts = documentFacts(document);
  if (facts === undefined) throw new TypeError(`${caller}: document must be what auth.openapi.document() returned`);
  if (facts.owner !== auth) throw new TypeError(`${caller}: document was made by another createAuth`);
  return facts;
}

/** The issuer identifier, or the TypeError that says why it cannot be one (RFC 8414 §2). */
function issuerUrl(auth: ResolvedAuth, caller: string): string {
  const problem = discoveryUrlProblem(auth.issuer);
  if (problem !== undefined) {
    throw new TypeError(`${caller}: issuer ${problem}; RFC 8414 §2 needs the issuer identifier to be the server's https URL, like "https://auth.example.com"`);
  }
  return auth.issuer;
}

/** A described path on the issuer (the issuer's own path, if any, is where the app is mounted); an absolute URL as it is. */
function endpoint(issuer: string, path: string): string {
  return /^https?:\/\//i.test(path) ? path : `${issuer.replace(/\/$/, '')}${path}`;
}

/**
 * RFC 8414 §2 metadata. The issuer is exactly the `issuer` option (§3.3);
 * the token endpoint takes no client authentication (`none`: first-party
 * public clients; credentials sent are ignored); `response_types_supported`,
 * REQUIRED, is empty since there is no authorization endpoint; `jwks_uri` is
 * there when the keys are asymmetric (an HMAC secret is never published).
 */
export function authorizationServerMetadata(auth: ResolvedAuth, document: unknown, caller = 'metadata'): AuthorizationServerMetadata {
  const facts = factsFor(auth, document, caller);
  const issuer = issuerUrl(auth, caller);
  const asymmetric = auth.tokens.keys.publicJwks().keys.length > 0;
  if (asymmetric && facts.jwksPaths.length === 0) {
    throw new TypeError(`${caller}: the keys are asymmetric, so jwks_uri is needed: describe the JWKS route with auth.openapi.operation(auth.jwks())`);
  }
  const revocation = facts.revokePaths[0];
  return {
    issuer,
    token_endpoint: endpoint(issuer, facts.tokenUrl),
    ...(revocation !== undefined && { revocation_endpoint: endpoint(issuer, revocation) }),
    ...(asymmetric && { jwks_uri: endpoint(issuer, facts.jwksPaths[0]) }),
    grant_types_supported: auth.grants.types,
    response_types_supported: [],
    ...(facts.scopes.length > 0 && { scopes_supported: [...facts.scopes] }),
    token_endpoint_auth_methods_supported: ['none'],
    ...(revocation !== undefined && { revocation_endpoint_auth_methods_supported: ['none'] }),
    ...(auth.dpop.policy !== 'off' && { dpop_signing_alg_values_supported: [...auth.dpop.algorithms] }),
  };
}

/**
 * RFC 9728 §2 metadata. `resource` is the `resource` option, the identifier
 * the metadata is fetched under (§3.3); `authorization_servers` lists the
 * issuer when it is an RFC 8414 issuer identifier.
 */
export function protectedResourceMetadata(auth: ResolvedAuth, document: unknown, caller = 'resourceMetadata'): ProtectedResourceMetadata {
  const facts = factsFor(auth, document, caller);
  if (auth.resource === undefined) throw new TypeError(`${caller}: set the resource option (this API's URL, like "https://api.example.com")`);
  return {
    resource: auth.resource,
    ...(discoveryUrlProblem(auth.issuer) === undefined && { authorization_servers: [auth.issuer] }),
    ...(facts.scopes.length > 0 && { scopes_supported: [...facts.scopes] }),
    bearer_methods_supported: [...auth.bearerMethods],
    ...(auth.dpop.policy !== 'off' && {
      dpop_signing_alg_values_supported: [...auth.dpop.algorithms],
      dpop_bound_access_tokens_required: auth.dpop.policy === 'required',
    }),
  };
}

/** A GET handler sending `body` as cacheable JSON. */
export function jsonDocumentHandler(body: object, options: MetadataHandlerOptions = {}): (req: Request, res: Response) => void {
  if (typeof options !== 'object' || options === null) throw new TypeError('metadata options must be an object');
  const maxAge = options.maxAge ?? 3600;
  if (!Number.isSafeInteger(maxAge) || maxAge < 0 || maxAge > 86400) throw new TypeError('maxAge must be a whole number of seconds from 0 to 86400');
  const text = JSON.stringify(body);
  const cacheControl = `public, max-age=${maxAge}`;
  return function metadata(_req: Request, res: Response): void {
    res.set('Cache-Control', cacheControl).type('application/json').send(text);
  };
}
