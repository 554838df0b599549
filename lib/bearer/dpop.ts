import { createHash } from 'node:crypto';
import type { TLSSocket } from 'node:tls';
import type { DpopPolicy } from '../core/dpop-policy';
import { validAuthority, validScheme } from '../core/request-origin';
import { InvalidDpopProofError, type DpopErrorSite } from '../core/errors';
import type { DpopReplayStore } from '../stores/types';
import type { DpopProofs, VerifiedDpopProof } from '../tokens/dpop-proof';
import type { TokenSource } from './extract-token';

/**
 * The request parts a DPoP check reads. Express requests have them all:
 * `protocol` and `host` honour the app's `trust proxy` setting (Express 5), so
 * behind a proxy `htu` is compared with the URL the client used.
 */
export interface DpopSource extends TokenSource {
  protocol?: string;
  host?: string;
  originalUrl?: string;
}

export interface DpopCheckOptions {
  /** The app's policy: the default of every route, and the token endpoint's. */
  readonly policy: DpopPolicy;
  readonly proofs: DpopProofs;
  readonly replay: DpopReplayStore;
}

/**
 * The request side of DPoP (RFC 9449), shared by the token endpoint and the
 * bearer check: finds the one `DPoP` header, checks the proof against the URL
 * the client used (§4.3), and accepts each proof once (§11.1) through the
 * replay store, which every instance behind one load balancer should share.
 *
 * @example
 * const proof = dpop.header(req, 'token');
 * const verified = dpop.verify(req, proof, 'token');
 * await dpop.claim(verified, 'token');
 */
export class DpopCheck {
  readonly policy: DpopPolicy;
  /** The accepted algorithms, for the `algs` of the challenge (RFC 9449 §7.1). */
  readonly algorithms: readonly string[];
  private readonly options: DpopCheckOptions;

  constructor(options: DpopCheckOptions) {
    this.options = options;
    this.policy = options.policy;
    this.algorithms = options.proofs.identifiers;
  }

  /**
   * The proof of a request: undefined without a `DPoP` header;
   * InvalidDpopProofError for more than one (RFC 9449 §4.3 (1)).
   */
  header(req: DpopSource, site: DpopErrorSite): string | undefined {
    // Own properties only: a polluted Object.prototype.dpop is no header.
    const value = Object.hasOwn(req.headers, 'dpop') ? req.headers.dpop : undefined;
    if (value === undefined) return undefined;
    // Node joins repeated unknown headers in req.headers; rawHeaders has each.
    if (Array.isArray(value) || countHeader(req.rawHeaders, 'dpop') > 1) {
      throw new InvalidDpopProofError(site, 'Send exactly one DPoP header', { detail: 'more than one DPoP header' });
    }
    return value;
  }

  /**
   * Checks `proof` for this request (with `accessToken` at a protected
   * resource): every check of RFC 9449 §4.3 but the replay check, which
   * `claim` makes. Throws InvalidDpopProofError or UseDpopNonceError.
   */
  verify(req: DpopSource, proof: string, site: DpopErrorSite, accessToken?: string): VerifiedDpopProof {
    return this.options.proofs.verify(proof, { site, method: req.method ?? '', url: requestUrl(req), accessToken });
  }

  /**
   * Records a verified proof's `jti`, so that it is accepted once (RFC 9449
   * §11.1); rejects with InvalidDpopProofError for a replay, or with the
   * replay store's own error when it cannot be reached (a 500: a proof is
   * never let through unchecked).
   */
  async claim(proof: VerifiedDpopProof, site: DpopErrorSite): Promise<void> {
    // Keyed by key and jti, hashed to a fixed length: one client cannot spend another's jti,
    // and a long jti costs the store nothing.
    const key = createHash('sha256').update(`${proof.jkt}.${proof.jti}`).digest('base64url');
    if (!(await this.options.replay.claim(key, proof.replayUntil, this.options.proofs.rules.now()))) {
      throw new InvalidDpopProofError(site, 'The DPoP proof was already used', { reason: 'dpop.replayed', detail: 'jti seen before' });
    }
  }

  /** The nonce to send in `DPoP-Nonce` now, or undefined when nonces are off. */
  nonce(): string | undefined {
    return this.options.proofs.rules.nonces?.current();
  }
}

/**
 * The absolute URL a request was made to, as the client saw it: scheme and
 * host from Express's `req.protocol` and `req.host` (so `trust proxy` decides
 * whether X-Forwarded-Proto and X-Forwarded-Host count), and the path as
 * sent (`originalUrl`, unchanged by mounted routers). Undefined without a
 * Host, or with one that is not a plain authority.
 */
export function requestUrl(req: DpopSource): string | undefined {
  // Express takes the first value of an X-Forwarded-Host or X-Forwarded-Proto list, and a proxy that
  // appends its own value (or adds a second header line) leaves the client's first: the client would
  // choose the URL its proof is checked against. A list is no URL, so the proof is refused.
  if (isList(req.headers['x-forwarded-host']) || isList(req.headers['x-forwarded-proto'])) return undefined;
  const target = req.originalUrl ?? req.url ?? '';
  const absolute = /^https?:\/\//i.test(target);
  if (!absolute && !target.startsWith('/')) return undefined;
  const protocol = validScheme(req.protocol ?? ((req as { socket?: Partial<TLSSocket> }).socket?.encrypted ? 'https' : 'http'));
  if (protocol === undefined) return undefined;
  // A Host that is not an authority ("api.example.com/admin", "host/users/me?") would move the real
  // path after a `/` or `?` of its own, so a proof for one path would pass on another (RFC 9449 §4.3).
  const host = validAuthority(req.host ?? req.headers.host);
  if (host === undefined) return undefined;
  if (!absolute) return `${protocol}://${host}${target}`;
  // RFC 9112 §3.2.2: an absolute-form target ("GET https://other.example/users/me") names an origin of
  // its own, which the client alone chooses: it counts only when it is the origin the Host (and `trust
  // proxy`) name, or a proof made for another server that serves the same path would pass here.
  try {
    return new URL(target).origin === new URL(`${protocol}://${host}`).origin ? target : undefined;
  } catch {
    return undefined;
  }
}

/** Node joins repeated lines of these headers with ", ". */
function isList(value: string | string[] | undefined): boolean {
  return Array.isArray(value) || (typeof value === 'string' && value.includes(','));
}

function countHeader(raw: readonly string[], lowerName: string): number {
  let count = 0;
  for (let i = 0; i < raw.length; i += 2) {
    if (raw[i].length === lowerName.length && raw[i].toLowerCase() === lowerName) count++;
  }
  return count;
}
