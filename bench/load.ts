import autocannon from 'autocannon';

/** One request shape, driven by autocannon for a fixed time. */
export interface LoadSpec {
  url: string;
  method?: 'GET' | 'POST';
  headers?: Record<string, string>;
  body?: string;
  /** Headers made anew for each request (a DPoP proof is good for one request only), added to `headers`. */
  perRequest?: () => Record<string, string>;
  connections: number;
  /** Seconds. */
  duration: number;
}

export interface LoadResult {
  requestsPerSecond: number;
  /** Milliseconds, from every response's own timing (autocannon's histogram keeps whole milliseconds only). */
  p50: number;
  p99: number;
  /** Responses per status code. */
  statuses: Record<string, number>;
  /** Connection errors and timeouts: a request that got no HTTP answer. */
  failures: number;
}

/** Drives `spec` with autocannon over loopback and measures every response. */
export function load(spec: LoadSpec): Promise<LoadResult> {
  const times: number[] = [];
  return new Promise((resolve, reject) => {
    const instance = autocannon(
      {
        url: spec.url,
        method: spec.method ?? 'GET',
        headers: spec.headers ?? {},
        ...(spec.body !== undefined && { body: spec.body }),
        connections: spec.connections,
        duration: spec.duration,
        ...(spec.perRequest && { requests: [{ setupRequest: (request) => ({ ...request, headers: { ...request.headers, ...spec.perRequest!() } }) }] }),
      },
      (err, result) => {
        if (err) return reject(err);
        const statuses: Record<string, number> = {};
        for (const [code, { count }] of Object.entries(result.statusCodeStats)) statuses[code] = count;
        resolve({
          requestsPerSecond: times.length / result.duration,
          p50: percentile(times, 50),
          p99: percentile(times, 99),
          statuses,
          // autocannon counts a timeout as an error too.
          failures: result.errors,
        });
      },
    );
    instance.on('response', (_client, _status, _bytes, responseTime) => {
      times.push(responseTime);
    });
  });
}

/** The nearest-rank percentile of `values`, or NaN when there are none. */
export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = Float64Array.from(values).sort();
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))];
}

/** The median of `values` (the mean of the middle two for an even count). */
export function median(values: readonly number[]): number {
  const sorted = Float64Array.from(values).sort();
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/** True when every response has one of the `expected` status codes and every request got one. */
export function answeredAs(result: LoadResult, expected: readonly number[]): boolean {
  return result.failures === 0 && Object.keys(result.statuses).every((code) => expected.includes(Number(code)));
}
