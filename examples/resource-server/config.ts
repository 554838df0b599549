import type { DpopPolicy } from 'express-jwt-auth';

/** The resource server's settings, from the environment. */
export interface ResourceConfig {
  port: number;
  host: string;
  /** ISSUER_JWKS_URL: the issuer's JWKS. Default http://127.0.0.1:3000/.well-known/jwks.json (the example server). */
  jwksUrl: string;
  /** JWT_ISSUER: the `iss` tokens must carry. Default the example server's. */
  issuer: string;
  /** JWT_AUDIENCE: the `aud` tokens must name. Default the example server's. */
  audience: string;
  /** DPOP: off, allowed or required, as on the example server (RFC 9449). Default allowed. */
  dpop: DpopPolicy;
}

/** A setting that cannot work; main prints its message and exits 1. */
export class ConfigError extends Error {}

export function loadResourceConfig(env: NodeJS.ProcessEnv = process.env): ResourceConfig {
  const port = env.PORT === undefined || env.PORT === '' ? 3001 : Number(env.PORT);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new ConfigError(`PORT must be a port number, not "${env.PORT}"`);
  const dpop = (env.DPOP || 'allowed') as DpopPolicy;
  if (!['off', 'allowed', 'required'].includes(dpop)) throw new ConfigError(`DPOP must be off, allowed or required, not "${env.DPOP}"`);
  return {
    port,
    host: env.HOST || '127.0.0.1',
    jwksUrl: env.ISSUER_JWKS_URL || 'http://127.0.0.1:3000/.well-known/jwks.json',
    issuer: env.JWT_ISSUER || 'express-jwt-auth-example',
    audience: env.JWT_AUDIENCE || 'example-api',
    dpop,
  };
}
