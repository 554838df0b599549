import { randomInt } from 'node:crypto';

/**
 * The counters behind the brute-force limits, with every time taken from the
 * caller's clock (`now`, in ms) and stored in the records themselves, never
 * in timers: so a test clock drives them, and each wait a limit answers is
 * computed from its own state, which bounds it by construction (see each
 * kind below).
 *
 * Three kinds of limit, each on one key:
 *
 * - `window`: at most `limit` counts in a fixed window of `windowMs` that
 *   starts with its first count. A refusal waits for the window's end: never
 *   more than `windowMs`.
 * - `bucket`: a token bucket of `capacity` tokens that refills one token
 *   every `intervalMs`, kept as the GCRA's theoretical arrival time (one
 *   number). A refusal waits for the next token: never more than
 *   `intervalMs`.
 * - `lock`: `maxFailures` failures in a row start a block of
 *   `blockMs · 2^level`, at most `maxBlockMs`; the level rises with each
 *   block. The whole record (streak, block, level) is forgotten `idleMs`
 *   after the later of its last count and the end of its block. A block
 *   runs from the moment the streak used up its budget (the last admitted
 *   attempt), so a refusal while the client's own attempts are still being
 *   checked can say exactly when the block they would start ends. A refusal
 *   waits for the block's end, never more than `maxBlockMs`.
 *
 * An attempt is counted, on every limit at once, before the password is
 * checked (`begin`): all limits admit it and each takes one count, or none
 * takes anything. So a burst of parallel attempts gets no more than one
 * after another. When the check is over, `settle` says how it ended:
 * - `failed` (a credential failure): the counts stay; a lock adds a failure
 *   to its streak and may start a block.
 * - `succeeded`: a lock forgets the client; windows and buckets get their
 *   count back.
 * - `abandoned` (no credential was checked: a full hashing queue, a store
 *   error): every limit gets its count back.
 * A count is given back only to the window or streak that took it (each
 * begin returns a token naming it), so a give-back after a reset or a new
 * window never turns into extra attempts.
 */
export type Limit =
  | { readonly kind: 'window'; readonly key: string; readonly limit: number; readonly windowMs: number }
  | { readonly kind: 'bucket'; readonly key: string; readonly capacity: number; readonly intervalMs: number }
  | {
      readonly kind: 'lock';
      readonly key: string;
      readonly maxFailures: number;
      readonly blockMs: number;
      readonly maxBlockMs: number;
      readonly idleMs: number;
    };

/** How a counted attempt ended. */
export type Outcome = 'failed' | 'succeeded' | 'abandoned';

/** What `begin` answers: admitted (with one token per limit, for `settle`), or the wait of each limit (0 for those that admit). */
export type Admission = { readonly admitted: true; readonly tokens: readonly string[] } | { readonly admitted: false; readonly waits: readonly number[] };

/** Where the counters live: in this process, or in Redis for every instance. */
export interface CounterStore {
  begin(limits: readonly Limit[], now: number): Promise<Admission>;
  settle(limits: readonly Limit[], tokens: readonly string[], outcome: Outcome, now: number): Promise<void>;
}

/** A fresh generation id: tells one streak of a lock from the next, so a late settle never touches a newer one. */
function newGeneration(): string {
  return String(randomInt(1, 2 ** 47));
}

function freshLock(): LockRecord {
  return { kind: 'lock', taken: 0, failed: 0, exhausted: 0, blockedUntil: 0, level: 0, generation: newGeneration(), expires: 0 };
}

/** The block a lock at `level` starts. */
function blockFor(limit: Extract<Limit, { kind: 'lock' }>, level: number): number {
  return Math.min(limit.blockMs * 2 ** Math.min(level, 30), limit.maxBlockMs);
}

interface WindowRecord {
  kind: 'window';
  start: number;
  count: number;
  expires: number;
}
interface BucketRecord {
  kind: 'bucket';
  /** GCRA theoretical arrival time: the bucket is full from then on. */
  tat: number;
  expires: number;
}
interface LockRecord {
  kind: 'lock';
  /** Attempts in this streak: still being checked, or failed. */
  taken: number;
  /** Failures in this streak. */
  failed: number;
  /** When `taken` reached maxFailures (0 while below): a block this streak starts runs from then. */
  exhausted: number;
  blockedUntil: number;
  level: number;
  generation: string;
  expires: number;
}
type CounterRecord = WindowRecord | BucketRecord | LockRecord;

/**
 * The counters in this process's memory. Expired records are dropped when
 * read, and swept now and then (amortised: one sweep per as many writes as
 * there are records), so memory follows the records still alive, whatever
 * keys a client makes up.
 */
export class MemoryCounterStore implements CounterStore {
  private readonly records = new Map<string, CounterRecord>();
  private writes = 0;
  private nextSweep = 1000;

  /** Records held (expired ones may linger until the next sweep). */
  get size(): number {
    return this.records.size;
  }

  async begin(limits: readonly Limit[], now: number): Promise<Admission> {
    return this.beginNow(limits, now);
  }

  async settle(limits: readonly Limit[], tokens: readonly string[], outcome: Outcome, now: number): Promise<void> {
    this.settleNow(limits, tokens, outcome, now);
  }

  /** Synchronous, hence atomic: nothing runs between the checks and the counts. */
  beginNow(limits: readonly Limit[], now: number): Admission {
    const waits = limits.map((limit) => this.wait(limit, now));
    if (waits.some((wait) => wait > 0)) return { admitted: false, waits };
    return { admitted: true, tokens: limits.map((limit) => this.take(limit, now)) };
  }

  settleNow(limits: readonly Limit[], tokens: readonly string[], outcome: Outcome, now: number): void {
    limits.forEach((limit, i) => this.give(limit, tokens[i] ?? '', outcome, now));
  }

  private wait(limit: Limit, now: number): number {
    switch (limit.kind) {
      case 'window': {
        const record = this.read(limit, now);
        return record && record.count >= limit.limit ? record.start + limit.windowMs - now : 0;
      }
      case 'bucket': {
        const record = this.read(limit, now);
        const tat = Math.max(record?.tat ?? now, now) + limit.intervalMs;
        return Math.max(tat - now - limit.capacity * limit.intervalMs, 0);
      }
      case 'lock': {
        const record = this.read(limit, now);
        if (!record) return 0;
        if (record.blockedUntil > now) return record.blockedUntil - now;
        // The client's own attempts still being checked hold its budget: if they fail, the block they
        // start runs from the moment the budget ran out and ends exactly when this says (at least 1 s on).
        return record.taken >= limit.maxFailures ? Math.max((record.exhausted || now) + blockFor(limit, record.level) - now, 1000) : 0;
      }
    }
  }

  private take(limit: Limit, now: number): string {
    switch (limit.kind) {
      case 'window': {
        const record = this.read(limit, now) ?? { kind: 'window', start: now, count: 0, expires: now + limit.windowMs };
        record.count++;
        this.write(limit.key, record, now);
        return String(record.start);
      }
      case 'bucket': {
        const tat = Math.max(this.read(limit, now)?.tat ?? now, now) + limit.intervalMs;
        this.write(limit.key, { kind: 'bucket', tat, expires: tat }, now);
        return '';
      }
      case 'lock': {
        const record = this.read(limit, now) ?? freshLock();
        record.taken++;
        if (record.taken >= limit.maxFailures && record.exhausted === 0) record.exhausted = now;
        record.expires = Math.max(record.blockedUntil, now) + limit.idleMs;
        this.write(limit.key, record, now);
        return record.generation;
      }
    }
  }

  private give(limit: Limit, token: string, outcome: Outcome, now: number): void {
    switch (limit.kind) {
      case 'window': {
        if (outcome === 'failed') return;
        const record = this.read(limit, now);
        if (record && String(record.start) === token && record.count > 0) record.count--;
        return;
      }
      case 'bucket': {
        if (outcome === 'failed') return;
        const record = this.read(limit, now);
        if (!record) return; // full already
        record.tat -= limit.intervalMs;
        if (record.tat <= now) this.records.delete(limit.key);
        else record.expires = record.tat;
        return;
      }
      case 'lock': {
        const record = this.read(limit, now);
        if (outcome === 'succeeded') {
          this.records.delete(limit.key);
        } else if (outcome === 'abandoned') {
          if (record && record.generation === token && record.taken > 0) {
            record.taken--;
            if (record.taken < limit.maxFailures) record.exhausted = 0;
          }
        } else {
          const current = record ?? freshLock();
          // The attempt's count belongs to this streak only if it was taken in it.
          if (current.generation !== token) current.taken++;
          if (current.taken >= limit.maxFailures && current.exhausted === 0) current.exhausted = now;
          current.failed++;
          if (current.failed >= limit.maxFailures) {
            // From when the budget ran out: what an in-flight refusal announced is exactly when it ends.
            current.blockedUntil = (current.exhausted || now) + blockFor(limit, current.level);
            current.level++;
            current.taken = 0;
            current.failed = 0;
            current.exhausted = 0;
            current.generation = newGeneration();
          }
          current.expires = Math.max(current.blockedUntil, now) + limit.idleMs;
          this.write(limit.key, current, now);
        }
        return;
      }
    }
  }

  private read<K extends Limit['kind']>(limit: Limit & { kind: K }, now: number): Extract<CounterRecord, { kind: K }> | undefined {
    const record = this.records.get(limit.key);
    if (record === undefined) return undefined;
    // An expired record is none: a window that has ended, a full bucket, a lock forgotten.
    if (record.expires <= now || record.kind !== limit.kind) {
      this.records.delete(limit.key);
      return undefined;
    }
    return record as Extract<CounterRecord, { kind: K }>;
  }

  private write(key: string, record: CounterRecord, now: number): void {
    this.records.set(key, record);
    if (++this.writes < this.nextSweep) return;
    // One sweep per as many writes as records were left by the last one: amortised O(1) a write,
    // and never more than about twice the live records (plus 1000) held.
    this.writes = 0;
    for (const [stale, held] of this.records) if (held.expires <= now) this.records.delete(stale);
    this.nextSweep = Math.max(1000, this.records.size);
  }
}

/**
 * The Redis client the counters use: an ioredis `Redis` (declared here by
 * shape, so an app without ioredis needs no types from it).
 */
export interface RedisCounterClient {
  /** "ready" while connected; the counters fall back to memory otherwise. */
  readonly status: string;
  eval(script: string, numKeys: number, ...args: Array<string | number>): Promise<unknown>;
}

// The Lua twins of MemoryCounterStore's beginNow and settleNow: one script each, so every
// check and count of an attempt is one atomic step in Redis, whichever instance runs it.
// Times come from the caller (ARGV[1]); Redis's own expiry (PEXPIRE) only reclaims memory.
// Per limit: kind, then its four numbers (window: limit, windowMs; bucket: capacity,
// intervalMs; lock: maxFailures, blockMs, maxBlockMs, idleMs), then for settle its token.
const READ = `
local function read(i, kind, b, now, gen)
  local key = KEYS[i]
  if kind == 'window' then
    local r = redis.call('HMGET', key, 's', 'c')
    local s, n = tonumber(r[1]), tonumber(r[2])
    if s == nil or s + b <= now then return {c = 0} end
    return {s = s, c = n}
  elseif kind == 'bucket' then
    local t = tonumber(redis.call('HGET', key, 't'))
    if t == nil or t <= now then return {} end
    return {t = t}
  end
  local r = redis.call('HMGET', key, 'n', 'f', 'x', 'b', 'l', 'g', 'e')
  local e = tonumber(r[7])
  if e == nil or e <= now then return {n = 0, f = 0, x = 0, b = 0, l = 0, g = gen, live = false} end
  return {n = tonumber(r[1]), f = tonumber(r[2]), x = tonumber(r[3]), b = tonumber(r[4]), l = tonumber(r[5]), g = r[6], live = true}
end
local function block(b, c, l)
  return math.min(b * 2 ^ math.min(l, 30), c)
end
local function since(x, now)
  if x == 0 then return now end
  return x
end
local function writeLock(key, st, d, now)
  local e = math.max(st.b, now) + d
  redis.call('HSET', key, 'n', st.n, 'f', st.f, 'x', st.x, 'b', st.b, 'l', st.l, 'g', st.g, 'e', e)
  redis.call('PEXPIRE', key, e - now)
end
`;

const BEGIN = `${READ}
local now, gen = tonumber(ARGV[1]), ARGV[2]
local waits, states, refused = {0}, {}, false
for i = 1, #KEYS do
  local o = 2 + (i - 1) * 5
  local kind, a, b, c = ARGV[o + 1], tonumber(ARGV[o + 2]), tonumber(ARGV[o + 3]), tonumber(ARGV[o + 4])
  local st = read(i, kind, b, now, gen)
  local wait = 0
  if kind == 'window' then
    if st.s ~= nil and st.c >= a then wait = st.s + b - now end
  elseif kind == 'bucket' then
    wait = math.max(math.max(st.t or now, now) + b - now - a * b, 0)
  elseif st.b > now then
    wait = st.b - now
  elseif st.n >= a then
    wait = math.max(since(st.x, now) + block(b, c, st.l) - now, 1000)
  end
  if wait > 0 then refused = true end
  waits[i + 1] = wait
  states[i] = st
end
if refused then return waits end
local tokens = {1}
for i = 1, #KEYS do
  local o = 2 + (i - 1) * 5
  local kind, a, b, d = ARGV[o + 1], tonumber(ARGV[o + 2]), tonumber(ARGV[o + 3]), tonumber(ARGV[o + 5])
  local key, st = KEYS[i], states[i]
  if kind == 'window' then
    local s = st.s or now
    redis.call('HSET', key, 's', s, 'c', st.c + 1)
    redis.call('PEXPIRE', key, s + b - now)
    tokens[i + 1] = s
  elseif kind == 'bucket' then
    local t = math.max(st.t or now, now) + b
    redis.call('HSET', key, 't', t)
    redis.call('PEXPIRE', key, t - now)
    tokens[i + 1] = ''
  else
    st.n = st.n + 1
    if st.n >= a and st.x == 0 then st.x = now end
    writeLock(key, st, d, now)
    tokens[i + 1] = st.g
  end
end
return tokens`;

const SETTLE = `${READ}
local now, outcome, gen = tonumber(ARGV[1]), ARGV[2], ARGV[3]
for i = 1, #KEYS do
  local o = 3 + (i - 1) * 6
  local kind, a, b, c, d, token = ARGV[o + 1], tonumber(ARGV[o + 2]), tonumber(ARGV[o + 3]), tonumber(ARGV[o + 4]), tonumber(ARGV[o + 5]), ARGV[o + 6]
  local key = KEYS[i]
  if kind == 'window' then
    if outcome ~= 'failed' then
      local st = read(i, kind, b, now, gen)
      if st.s ~= nil and st.s == tonumber(token) and st.c > 0 then redis.call('HSET', key, 'c', st.c - 1) end
    end
  elseif kind == 'bucket' then
    if outcome ~= 'failed' then
      local st = read(i, kind, b, now, gen)
      if st.t ~= nil then
        local t = st.t - b
        if t <= now then
          redis.call('DEL', key)
        else
          redis.call('HSET', key, 't', t)
          redis.call('PEXPIRE', key, t - now)
        end
      end
    end
  elseif outcome == 'succeeded' then
    redis.call('DEL', key)
  else
    local st = read(i, kind, b, now, gen)
    if outcome == 'abandoned' then
      if st.live and st.g == token and st.n > 0 then
        st.n = st.n - 1
        if st.n < a then st.x = 0 end
        redis.call('HSET', key, 'n', st.n, 'x', st.x)
      end
    else
      if st.g ~= token then st.n = st.n + 1 end
      if st.n >= a and st.x == 0 then st.x = now end
      st.f = st.f + 1
      if st.f >= a then
        st.b = since(st.x, now) + block(b, c, st.l)
        st.l = st.l + 1
        st.n = 0
        st.f = 0
        st.x = 0
        st.g = gen
      end
      writeLock(key, st, d, now)
    end
  end
end
return 1`;

function limitArgs(limit: Limit): Array<string | number> {
  switch (limit.kind) {
    case 'window':
      return ['window', limit.limit, limit.windowMs, 0, 0];
    case 'bucket':
      return ['bucket', limit.capacity, limit.intervalMs, 0, 0];
    case 'lock':
      return ['lock', limit.maxFailures, limit.blockMs, limit.maxBlockMs, limit.idleMs];
  }
}

/**
 * The counters in Redis, shared by every instance: one hash per key, read
 * and written by one Lua script per step (atomic). Rejects when Redis does;
 * RateLimits then counts in memory instead.
 */
export class RedisCounterStore implements CounterStore {
  constructor(private readonly redis: RedisCounterClient) {}

  get ready(): boolean {
    return this.redis.status === 'ready';
  }

  async begin(limits: readonly Limit[], now: number): Promise<Admission> {
    const args = limits.flatMap(limitArgs);
    const reply = (await this.redis.eval(BEGIN, limits.length, ...limits.map((l) => l.key), now, newGeneration(), ...args)) as Array<number | string>;
    if (!Array.isArray(reply) || reply.length !== limits.length + 1) throw new Error('unexpected reply from the rate-limit script');
    const rest = reply.slice(1);
    return Number(reply[0]) === 1 ? { admitted: true, tokens: rest.map(String) } : { admitted: false, waits: rest.map(Number) };
  }

  async settle(limits: readonly Limit[], tokens: readonly string[], outcome: Outcome, now: number): Promise<void> {
    const args = limits.flatMap((limit, i) => [...limitArgs(limit), tokens[i] ?? '']);
    await this.redis.eval(SETTLE, limits.length, ...limits.map((l) => l.key), now, outcome, newGeneration(), ...args);
  }
}
