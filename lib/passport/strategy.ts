import type { Request } from 'express';

/**
 * The shape Passport expects of a strategy (what passport-strategy's base
 * class provides), declared here so that the package needs neither
 * passport-strategy nor its types. Passport calls `authenticate` on
 * `Object.create(strategy)` with the action methods below set on that object,
 * so subclasses keep their state in TypeScript `private` fields, never
 * `#private` ones (which the created object would not have).
 */
export abstract class PassportStrategy {
  abstract readonly name: string;
  abstract authenticate(req: Request, options?: object): void;

  /** Set by Passport for each request: the user is authenticated. */
  declare success: (user: Express.User, info?: object) => void;
  /** Set by Passport for each request: authentication failed; a string challenge becomes `WWW-Authenticate` on a 401. */
  declare fail: (challenge?: string | object | number, status?: number) => void;
  /** Set by Passport for each request: an error occurred (a 500 through next(err)). */
  declare error: (err: unknown) => void;
}

/** What createAuth() or createVerifier() returned: the strategies are made from it. */
export interface StrategySource {
  authenticate(): unknown;
}
