// autocannon ships no types; these cover the part of its API the bench uses.
declare module 'autocannon' {
  import type { EventEmitter } from 'node:events';

  namespace autocannon {
    interface Options {
      url: string;
      method?: string;
      headers?: Record<string, string>;
      body?: string;
      connections?: number;
      /** Seconds. */
      duration?: number;
      /** Seconds before a request counts as a timeout. */
      timeout?: number;
      /** Requests each connection sends in turn; `setupRequest` may rewrite one just before it is sent. */
      requests?: Array<{ setupRequest?: (request: RequestParams) => RequestParams }>;
    }
    interface RequestParams {
      method?: string;
      path?: string;
      headers?: Record<string, string>;
      body?: string;
    }
    interface Result {
      errors: number;
      timeouts: number;
      resets: number;
      statusCodeStats: Record<string, { count: number }>;
      /** Seconds, to 10 ms. */
      duration: number;
    }
    interface Instance extends EventEmitter {
      /** `response` is (client, statusCode, bytes, responseTime in ms as a float). */
      on(event: 'response', listener: (client: unknown, statusCode: number, bytes: number, responseTime: number) => void): this;
      on(event: string, listener: (...args: unknown[]) => void): this;
      stop(): void;
    }
  }
  function autocannon(options: autocannon.Options, done: (err: Error | null, result: autocannon.Result) => void): autocannon.Instance;
  export = autocannon;
}
