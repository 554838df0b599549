import { randomBytes } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import type { Redis } from 'ioredis';
import { ChangeHub } from '../change-hub';
import { Heartbeats } from '../heartbeats';
import type { RedisDataGuard } from './data-guard';

/**
 * Publishes a heartbeat with the guard's marker, read in the same step:
 * `[payload, marker]` as JSON (false for a missing key).
 */
const HEARTBEAT = `
redis.call('PUBLISH', KEYS[2], cjson.encode({ARGV[1], redis.call('GET', KEYS[1]) or false}))
return 1`;

/**
 * The change feed of a RedisDenylistStore: its own adds at once, every
 * instance's through pub/sub. The store's ADD script PUBLISHes each `jti` on
 * `<prefix>changes` in the same atomic step as the write; the feed listens on a
 * connection of its own (`redis.duplicate()`, a subscriber can do nothing else).
 *
 * How current it is: every `maxStaleness / 4` it publishes a heartbeat on
 * `<prefix>heartbeat` through the store's client, with the guard's marker
 * read in the same script. Redis runs commands one at a time and
 * delivers a connection's messages in order, so when the heartbeat arrives,
 * every add made before it was sent has arrived, and the marker says Redis
 * did not lose its data (a FLUSHALL, a restart): the feed is current as of
 * the sending time. While the guard
 * distrusts Redis, or the subscriber is disconnected, it is not current and
 * the session cache reads the store (which then fails closed); a reconnect
 * tells its listeners to forget everything, as adds of the gap were missed.
 */
export class RedisChangeFeed extends ChangeHub {
  readonly channel: string;
  private readonly heartbeatChannel: string;
  /** Names this feed's heartbeats and its subscriber connection (CLIENT SETNAME `ejwt-feed-<id>`). */
  readonly id = randomBytes(8).toString('hex');
  private subscriber: Redis | undefined;
  private asOf = -Infinity;
  private sequence = 0;
  private readonly heartbeats = new Heartbeats();
  private timer: NodeJS.Timeout | undefined;
  private listening = false;
  /** Waiting for the app's client to connect before making the subscriber. */
  private waiting = false;

  constructor(
    private readonly redis: Redis,
    prefix: string,
    private readonly guard: RedisDataGuard,
  ) {
    super();
    this.channel = `${prefix}changes`;
    this.heartbeatChannel = `${prefix}heartbeat`;
  }

  override currentAsOf(): number {
    return this.asOf;
  }

  protected override subscribersChanged(count: number, maxStaleness: number): void {
    if (count === 0) {
      this.close();
      return;
    }
    if (this.timer) clearInterval(this.timer);
    this.timer = setInterval(() => this.beat(), Math.max(5, Math.floor(maxStaleness / 4)));
    this.timer.unref();
    if (this.subscriber === undefined && !this.waiting) this.listenWhenReady();
  }

  /**
   * The subscriber is made once the app's client is connected: a subscriber
   * of a Redis that cannot be reached would retry on its own for as long as
   * the process lives (ioredis's reconnection timers keep it alive).
   */
  private listenWhenReady(): void {
    if (this.redis.status === 'ready') {
      this.listen();
      return;
    }
    this.waiting = true;
    this.redis.once('ready', this.onMainReady);
  }

  private readonly onMainReady = () => {
    this.waiting = false;
    if (this.timer !== undefined && this.subscriber === undefined) this.listen();
  };

  /** The app closed its client (`disconnect()`, `quit()`): the feed goes with it. */
  private mainClosed(): boolean {
    return this.redis.status === 'end' || (this.redis as unknown as { manuallyClosing?: boolean }).manuallyClosing === true;
  }

  private readonly onEnd = () => this.close();

  /** Stops listening: the store's `close`. The cache reads the store from now on. */
  close(): void {
    this.redis.off('end', this.onEnd);
    this.redis.off('ready', this.onMainReady);
    this.waiting = false;
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    const subscriber = this.subscriber;
    this.subscriber = undefined;
    this.lost();
    subscriber?.disconnect();
  }

  private listen(): void {
    // The app's client ended for good (quit, disconnect): so does the feed, rather than outlive it.
    this.redis.once('end', this.onEnd);
    const subscriber = this.redis.duplicate({ connectionName: `ejwt-feed-${this.id}` });
    this.subscriber = subscriber;
    subscriber.on('error', () => undefined);
    subscriber.on('close', () => {
      if (subscriber === this.subscriber) this.lost();
    });
    subscriber.on('ready', () => void this.subscribeOn(subscriber));
    subscriber.on('message', (channel: string, message: string) => {
      if (subscriber !== this.subscriber) return;
      if (channel === this.channel) this.token(message);
      else if (channel === this.heartbeatChannel) this.heard(message);
    });
  }

  private async subscribeOn(subscriber: Redis): Promise<void> {
    try {
      await subscriber.subscribe(this.channel, this.heartbeatChannel);
    } catch {
      // The next 'ready' tries again.
      return;
    }
    if (subscriber !== this.subscriber) return;
    // Not a reason to keep the process alive: the app's own client is.
    (subscriber as unknown as { stream?: { unref?: () => void } }).stream?.unref?.();
    this.listening = true;
    // Whatever was published while no one listened was missed.
    this.reset();
    this.beat();
  }

  private beat(): void {
    if (this.mainClosed()) {
      this.close();
      return;
    }
    if (!this.listening || this.redis.status !== 'ready') return;
    const sequence = ++this.sequence;
    this.heartbeats.sending(sequence, performance.now());
    this.redis
      .eval(HEARTBEAT, 2, this.guard.key, this.heartbeatChannel, `${this.id} ${sequence}`)
      .catch(() => this.heartbeats.forget(sequence));
  }

  private heard(message: string): void {
    let payload: unknown;
    try {
      payload = JSON.parse(message);
    } catch {
      return;
    }
    if (!Array.isArray(payload) || typeof payload[0] !== 'string') return;
    const [id, sequence] = payload[0].split(' ');
    if (id !== this.id) return;
    const sentAt = this.heartbeats.heard(Number(sequence));
    if (sentAt === undefined) return;
    const marker = typeof payload[1] === 'string' ? payload[1] : null;
    // Only the marker, not the write counter: a counter read here may be older than a write whose answer
    // this process has had since (the answer can overtake this message), which would look like Redis going back.
    if (!this.guard.trusts(marker)) {
      // Lost data, or a marker that cannot be read: not current, so checks go to the store, whose guard acts
      // on it; a missing marker is also reported at once, as the guard's own checks would.
      if (marker === null) this.guard.check().catch(() => undefined);
      if (this.asOf !== -Infinity) {
        this.asOf = -Infinity;
        this.reset();
      }
      return;
    }
    if (this.listening) this.asOf = Math.max(this.asOf, sentAt);
  }

  private lost(): void {
    this.listening = false;
    this.asOf = -Infinity;
    this.heartbeats.clear();
    this.reset();
  }
}
