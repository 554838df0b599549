import type { User } from '../core/user';
import type { LoginClient, PasswordLogin } from '../login/authenticate-password';
import type { AccessTokens } from '../tokens/access-tokens';
import type { RefreshTokens } from '../tokens/refresh-tokens';
import type { TokenResponse } from './token-response';

/** What every grant may use. */
export interface GrantContext {
  readonly tokens: AccessTokens;
  /** Undefined when refresh tokens are switched off. */
  readonly refreshTokens: RefreshTokens | undefined;
  readonly login: PasswordLogin;
}

/** Who asks, as far as a grant needs to know: its address and device cookies, for the brute-force limits; its DPoP key. */
export interface GrantClient extends LoginClient {
  /**
   * The RFC 7638 thumbprint of the key of the request's DPoP proof, already
   * checked (RFC 9449 §4.3) and spent; undefined without one. A grant binds
   * the tokens it issues to it (§5).
   */
  readonly dpopJkt?: string;
}

/** A grant's answer: the RFC 6749 §5.1 body, and the user who logged in, if this was a login. */
export interface GrantResult {
  body: TokenResponse;
  /** When the refresh token's family ends (ms since the epoch), if one was issued: the cookie's lifetime in cookie mode. */
  refreshExpiresAt?: number;
  login?: { user: User; scopes: string[] };
}

/** One `grant_type` of the token endpoint. */
export interface Grant {
  /** The `grant_type` value (RFC 6749 §4.3, §6, …). */
  readonly type: string;
  /** The body parameters it reads besides `grant_type`, for the OpenAPI `TokenRequest` schema. */
  readonly parameters: Readonly<Record<string, { readonly format?: string; readonly description?: string }>>;
  /** Handles a request; rejects with an AuthError for the client's faults. */
  handle(params: Record<string, unknown>, context: GrantContext, client: GrantClient): Promise<GrantResult>;
}

/**
 * The grants a token endpoint offers, by `grant_type`. A Map, so only a
 * registered type matches: `grant_type=constructor` or `__proto__` find
 * nothing. Its `types` are also the OpenAPI `grant_type` enum, so the
 * document cannot list a grant the endpoint does not take.
 */
export class GrantRegistry {
  private readonly grants = new Map<string, Grant>();

  constructor(grants: Iterable<Grant>) {
    for (const grant of grants) {
      if (this.grants.has(grant.type)) throw new TypeError(`grant_type "${grant.type}" is registered twice`);
      this.grants.set(grant.type, grant);
    }
  }

  find(type: string): Grant | undefined {
    return this.grants.get(type);
  }

  /** The `grant_type`s, in registration order. */
  get types(): string[] {
    return [...this.grants.keys()];
  }

  /** Every grant, in registration order. */
  all(): Grant[] {
    return [...this.grants.values()];
  }
}
