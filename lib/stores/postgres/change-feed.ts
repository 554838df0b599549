import { randomBytes } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { ChangeHub } from '../change-hub';
import { Heartbeats } from '../heartbeats';
import type { PgPool } from './pool';

/** The channels schema step 7's triggers notify on; the payload is `<schema> <id>`. */
export const USERS_CHANNEL = 'express_jwt_auth_users';
export const DENYLIST_CHANNEL = 'express_jwt_auth_denylist';
/** Schema step 8's statement triggers: a table was truncated; the payload is `<schema> <table>`. */
export const RESET_CHANNEL = 'express_jwt_auth_reset';
/** Each feed's own heartbeats; the payload is `<feed id> <sequence number>`. */
export const HEARTBEAT_CHANNEL = 'express_jwt_auth_heartbeat';

/** A dedicated connection: pg's Client by the shape the feed uses. */
interface ListenClient {
  connect(): Promise<void>;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  query<Row = any>(text: string, values?: unknown[]): Promise<{ rows: Row[] }>;
  on(event: 'notification', listener: (message: { channel: string; payload?: string }) => void): unknown;
  on(event: 'error' | 'end', listener: (err?: Error) => void): unknown;
  end(): Promise<void>;
  connection?: { stream?: { unref?: () => void } };
}

/** What a `pg.Pool` has beside the PgPool shape: its client class and connection options, for the feed's own connection. */
interface PoolInternals {
  Client?: new (options: unknown) => ListenClient;
  options?: object;
}

/** Longest pause between reconnection attempts, ms. */
const MAX_BACKOFF_MS = 2000;

const feeds = new WeakMap<PgPool, PostgresChangeFeed | null>();

/**
 * The change feed of the PostgreSQL stores on one pool. The stores tell it of
 * their own writes as soon as they commit; every process's writes, this
 * one's included, also arrive through `LISTEN` on one connection of its own
 * (not from the pool: it is held for as long as someone listens), from the
 * triggers of schema step 7.
 *
 * How current it is: every `maxStaleness / 4` it NOTIFYs a heartbeat on that
 * connection and notes when. PostgreSQL delivers notifications in commit
 * order (https://www.postgresql.org/docs/current/sql-notify.html), so when
 * the heartbeat comes back every change committed before it was sent has
 * been told: the feed is current as of the sending time. A connection that
 * fails or ends makes it -Infinity (the session cache reads the store) and
 * tells its listeners to forget everything; it reconnects with backoff, and
 * forgets everything once more after LISTEN, since changes of the gap were
 * missed. A heartbeat unanswered for ten periods ends the connection as dead.
 */
export class PostgresChangeFeed extends ChangeHub {
  /** Names this feed's heartbeats and its connection (`application_name`). */
  readonly id = randomBytes(8).toString('hex');
  private client: ListenClient | undefined;
  private schema: string | undefined;
  private asOf = -Infinity;
  private lastHeard = 0;
  private sequence = 0;
  private readonly heartbeats = new Heartbeats();
  private heartbeatMs = 250;
  private timer: NodeJS.Timeout | undefined;
  private backoff = 50;
  private running = false;
  /** A heartbeat query not yet answered: pg runs one query at a time per client, so the next waits. */
  private beating = false;

  private constructor(
    private readonly pool: PgPool & PoolInternals & { ending?: boolean; ended?: boolean },
    private readonly internals: Required<PoolInternals>,
  ) {
    super();
  }

  protected override subscribersChanged(count: number, maxStaleness: number): void {
    if (count > 0) this.start(maxStaleness);
    else this.stop();
  }

  /** The pool's feed, or undefined when the pool has no Client class and options to open a connection of its own. */
  static of(pool: PgPool): PostgresChangeFeed | undefined {
    let feed = feeds.get(pool);
    if (feed === undefined) {
      const { Client, options } = pool as PgPool & PoolInternals;
      feed = typeof Client === 'function' && typeof options === 'object' && options !== null ? new PostgresChangeFeed(pool, { Client, options }) : null;
      feeds.set(pool, feed);
    }
    return feed ?? undefined;
  }

  override currentAsOf(): number {
    return this.asOf;
  }

  /** Stops listening now (otherwise it stops when the app ends its pool): the cache reads the stores from now on. */
  close(): void {
    this.stop();
  }

  private start(maxStaleness: number): void {
    this.heartbeatMs = Math.max(5, Math.floor(maxStaleness / 4));
    if (this.timer) clearInterval(this.timer);
    this.timer = setInterval(() => this.beat(), this.heartbeatMs);
    this.timer.unref();
    if (!this.running) {
      this.running = true;
      void this.connect();
    }
  }

  private stop(): void {
    this.running = false;
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    this.drop();
  }

  private async connect(): Promise<void> {
    if (!this.running || this.client) return;
    if (this.poolEnded()) {
      this.stop();
      return;
    }
    let client: ListenClient;
    try {
      // Named, so that an operator sees in pg_stat_activity what the connection is for.
      client = new this.internals.Client({ ...this.internals.options, application_name: `express-jwt-auth change feed ${this.id}` });
    } catch {
      // No connection can be made at all (the driver itself failed): stop, and the cache reads the stores.
      this.stop();
      return;
    }
    this.client = client;
    client.on('error', () => this.lost(client));
    client.on('end', () => this.lost(client));
    client.on('notification', (message) => this.heard(client, message.channel, message.payload ?? ''));
    try {
      await client.connect();
      // Not a reason to keep the process alive: the app's server and pool are.
      client.connection?.stream?.unref?.();
      const { rows } = await client.query<{ schema: string | null }>('SELECT current_schema() AS schema');
      await client.query(`LISTEN ${USERS_CHANNEL}; LISTEN ${DENYLIST_CHANNEL}; LISTEN ${RESET_CHANNEL}; LISTEN ${HEARTBEAT_CHANNEL}`);
      if (this.client !== client) return;
      this.schema = rows[0]?.schema ?? 'public';
      this.backoff = 50;
      this.lastHeard = performance.now();
      // Whatever changed while no one listened was missed.
      this.reset();
      this.beat();
    } catch {
      this.lost(client);
    }
  }

  /** The app ended its pool: it is shutting down, and so does the feed. */
  private poolEnded(): boolean {
    return this.pool.ending === true || this.pool.ended === true;
  }

  private beat(): void {
    if (this.poolEnded()) {
      this.stop();
      return;
    }
    const client = this.client;
    if (client === undefined || this.schema === undefined) return;
    const now = performance.now();
    if (now - this.lastHeard > Math.max(10 * this.heartbeatMs, 1000)) {
      // Nothing back for ten periods: a connection that hangs is as good as lost.
      this.lost(client);
      return;
    }
    if (this.beating) return;
    const sequence = ++this.sequence;
    this.heartbeats.sending(sequence, now);
    this.beating = true;
    client
      .query('SELECT pg_notify($1, $2)', [HEARTBEAT_CHANNEL, `${this.id} ${sequence}`])
      .then(
        () => undefined,
        () => this.lost(client),
      )
      .finally(() => {
        if (client === this.client) this.beating = false;
      });
  }

  private heard(client: ListenClient, channel: string, payload: string): void {
    if (client !== this.client) return;
    const space = payload.indexOf(' ');
    const head = payload.slice(0, space);
    const rest = payload.slice(space + 1);
    if (channel === HEARTBEAT_CHANNEL) {
      if (head !== this.id) return;
      const sentAt = this.heartbeats.heard(Number(rest));
      if (sentAt === undefined) return;
      this.lastHeard = performance.now();
      this.asOf = Math.max(this.asOf, sentAt);
    } else if (this.schema !== undefined && payload.startsWith(`${this.schema} `)) {
      // A schema name may hold spaces itself ("a b"): cut off the known name, never split at a space.
      const id = payload.slice(this.schema.length + 1);
      if (channel === USERS_CHANNEL) this.user(id);
      else if (channel === DENYLIST_CHANNEL) this.token(id);
      else if (channel === RESET_CHANNEL) this.reset();
    }
  }

  private lost(client: ListenClient): void {
    if (client !== this.client) return;
    this.drop();
    if (!this.running) return;
    if (this.poolEnded()) {
      this.stop();
      return;
    }
    const wait = this.backoff;
    this.backoff = Math.min(this.backoff * 2, MAX_BACKOFF_MS);
    setTimeout(() => void this.connect(), wait).unref();
  }

  private drop(): void {
    const client = this.client;
    this.client = undefined;
    this.schema = undefined;
    this.beating = false;
    this.asOf = -Infinity;
    this.heartbeats.clear();
    this.reset();
    client?.end().catch(() => undefined);
  }
}
