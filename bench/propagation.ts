import http from 'node:http';

/** The changes whose propagation is measured: what one instance does, which the other must refuse. */
export const PROPAGATION_KINDS = ['access-token revoke', 'refresh-family revoke', 'disable (users CLI)', 'password change', 'sign-out everywhere'] as const;
export type PropagationKind = (typeof PROPAGATION_KINDS)[number];

export interface PropagationOptions {
  /** Base URLs of the two instances: A makes the change, B must refuse. */
  a: string;
  b: string;
  username: string;
  /** The account's password now; the password-change trials change it and put it back. */
  password: string;
  trials: number;
  /** Runs the users CLI on the instances' database with these arguments; resolves its exit code. */
  runCli: (args: string[]) => Promise<number | null>;
  /** Give up on a trial after this long (ms): it counts as Infinity. Default 2000. */
  timeoutMs?: number;
}

export interface PropagationRow {
  kind: PropagationKind;
  /** One per trial: ms from the change's answer (or the CLI's exit) to B's first refusal. */
  samples: number[];
  p50: number;
  p99: number;
  max: number;
}

interface Answer {
  status: number;
  body: Record<string, unknown>;
}

/**
 * Loopback source addresses to spread the token endpoint's per-address rate
 * limit (ipRequestsPerMinute) over: every 127.0.0.0/8 address is the local host.
 */
let nextSource = 0;
const source = () => `127.0.0.${10 + (nextSource++ % 200)}`;

function call(base: string, method: string, path: string, options: { token?: string; form?: Record<string, string> } = {}): Promise<Answer> {
  const { hostname, port } = new URL(base);
  const body = options.form === undefined ? undefined : new URLSearchParams(options.form).toString();
  const headers: Record<string, string> = {};
  if (options.token !== undefined) headers.authorization = `Bearer ${options.token}`;
  if (body !== undefined) headers['content-type'] = 'application/x-www-form-urlencoded';
  return new Promise((resolve, reject) => {
    const req = http.request({ host: hostname, port, path, method, headers, localAddress: source(), agent: false }, (res) => {
      let text = '';
      res.setEncoding('utf8').on('data', (chunk: string) => (text += chunk)).on('end', () => {
        let parsed: Record<string, unknown> = {};
        try {
          parsed = text === '' ? {} : (JSON.parse(text) as Record<string, unknown>);
        } catch {
          // Not JSON: the status says enough.
        }
        resolve({ status: res.statusCode!, body: parsed });
      });
    });
    req.on('error', reject).end(body);
  });
}

/** Asks B with `probe` until it refuses; ms from `since` to that answer, or Infinity after the timeout. */
async function untilRefused(probe: () => Promise<boolean>, since: number, timeoutMs: number): Promise<number> {
  for (;;) {
    const refused = await probe();
    const elapsed = performance.now() - since;
    if (refused) return elapsed;
    if (elapsed > timeoutMs) return Infinity;
  }
}

function quantile(sorted: number[], q: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)]!;
}

/**
 * Two instances on one database and one Redis: for each kind of change, made
 * on A (or by the users CLI), how long until B refuses what the change ended.
 * Each trial first uses the token on B, so that B has it in its session cache.
 */
export async function measurePropagation(options: PropagationOptions): Promise<PropagationRow[]> {
  const { a, b, username, trials, runCli } = options;
  const timeoutMs = options.timeoutMs ?? 2000;
  let password = options.password;
  const login = async () => {
    const res = await call(a, 'POST', '/token', { form: { grant_type: 'password', username, password } });
    if (res.status !== 200) throw new Error(`login answered ${res.status} ${JSON.stringify(res.body)}`);
    return { access: res.body.access_token as string, refresh: res.body.refresh_token as string };
  };
  const refusedOnB = (token: string) => async () => (await call(b, 'GET', '/users/me', { token })).status === 401;
  const warm = async (token: string) => {
    const res = await call(b, 'GET', '/users/me', { token });
    if (res.status !== 200) throw new Error(`B answered ${res.status} to a fresh token`);
  };

  const trial: Record<PropagationKind, () => Promise<number>> = {
    'access-token revoke': async () => {
      const { access } = await login();
      await warm(access);
      await call(a, 'POST', '/revoke', { form: { token: access } });
      return untilRefused(refusedOnB(access), performance.now(), timeoutMs);
    },
    'refresh-family revoke': async () => {
      const { access, refresh } = await login();
      await warm(access);
      await call(a, 'POST', '/revoke', { form: { token: refresh, token_type_hint: 'refresh_token' } });
      const since = performance.now();
      // A refresh on B that succeeded would rotate the family: the first answer must already be a refusal.
      const res = await call(b, 'POST', '/token', { form: { grant_type: 'refresh_token', refresh_token: refresh } });
      return res.status === 400 ? performance.now() - since : Infinity;
    },
    'disable (users CLI)': async () => {
      const { access } = await login();
      await warm(access);
      const code = await runCli(['disable', username]);
      const since = performance.now();
      if (code !== 0) throw new Error(`users CLI disable exited with ${code}`);
      const took = await untilRefused(refusedOnB(access), since, timeoutMs);
      if ((await runCli(['enable', username])) !== 0) throw new Error('users CLI enable failed');
      return took;
    },
    'password change': async () => {
      const { access } = await login();
      await warm(access);
      const next = password.endsWith('-x') ? password.slice(0, -2) : `${password}-x`;
      const res = await call(a, 'PUT', '/users/me/password', { token: access, form: { current_password: password, new_password: next } });
      const since = performance.now();
      if (res.status !== 204) throw new Error(`password change answered ${res.status} ${JSON.stringify(res.body)}`);
      password = next;
      return untilRefused(refusedOnB(access), since, timeoutMs);
    },
    'sign-out everywhere': async () => {
      const { access } = await login();
      await warm(access);
      const res = await call(a, 'DELETE', '/users/me/sessions', { token: access });
      const since = performance.now();
      if (res.status !== 204) throw new Error(`sign-out everywhere answered ${res.status}`);
      return untilRefused(refusedOnB(access), since, timeoutMs);
    },
  };

  const rows: PropagationRow[] = [];
  for (const kind of PROPAGATION_KINDS) {
    const samples: number[] = [];
    for (let i = 0; i < trials; i++) samples.push(await trial[kind]());
    const sorted = [...samples].sort((x, y) => x - y);
    rows.push({ kind, samples, p50: quantile(sorted, 0.5), p99: quantile(sorted, 0.99), max: sorted.at(-1)! });
  }
  // Put the password back for whoever runs next.
  if (password !== options.password) {
    const { access } = await login();
    await call(a, 'PUT', '/users/me/password', { token: access, form: { current_password: password, new_password: options.password } });
  }
  return rows;
}
