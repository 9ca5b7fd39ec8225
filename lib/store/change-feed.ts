import { EventEmitter } from 'events';
import { connectionId, isCluster, StoreConnection } from './store-connection';
import type { EgLogger } from '../eg/types';
import { keep } from '../eg/process-state';

/** A change, or `'all'` when changes may have been missed (the subscription dropped): forget everything. */
export type ChangeListener<T> = (event: T | 'all') => void;

let made = 0;

/** What an instance publishes on a cluster's channels to say it still hears them (see listenForHeartbeats). */
const HEARTBEAT = '"heartbeat"';
const HEARTBEAT_MS = 1000;
const SILENCE_MS = 3500;

/**
 * Tells every gateway instance sharing the Redis that something they may
 * cache changed, so they drop it at once (Redis pub/sub, typically within
 * milliseconds). The emulated store lives in one process, so there the feed
 * is an in-process event.
 *
 * One feed per channel and process (lib/eg/process-state.ts): EG re-runs
 * plugin init on hot reload, and a second subscriber connection would leak.
 */
export class ChangeFeed<T> {
  private readonly events = new EventEmitter();
  /** False while the subscription is down: caches must not be trusted, nor filled. */
  connected: boolean;

  /** @param caches what goes stale while the subscription is down, for the log line. */
  static for<T>(
    db: StoreConnection,
    channel: string,
    emulated: boolean,
    logger: EgLogger,
    caches: string
  ): ChangeFeed<T> {
    return keep(
      `feed ${channel}`,
      `${emulated} ${connectionId(db)}`,
      () => new ChangeFeed<T>(db, channel, emulated, logger, caches),
      (feed) => feed.close()
    );
  }

  /** Whether it holds a Redis subscriber connection (never on the emulated store). */
  get subscribed(): boolean {
    return this.subscriber !== null;
  }

  /** Whoever listens, for the log line that shows listeners do not pile up across reloads. */
  get listeners(): number {
    return this.events.listenerCount('change');
  }

  private subscriber: StoreConnection | null = null;
  /** Tells feeds apart: what follows one is made anew with a new feed. */
  readonly serial = ++made;

  /** Ends the subscription and forgets every listener (a feed no configuration asks for any more). */
  close(): void {
    for (const timer of this.timers) clearInterval(timer);
    this.events.removeAllListeners();
    this.subscriber?.disconnect();
    this.subscriber = null;
  }

  private constructor(
    private readonly db: StoreConnection,
    readonly channel: string,
    private readonly emulated: boolean,
    logger: EgLogger,
    caches: string
  ) {
    this.events.setMaxListeners(0);
    this.connected = emulated;
    if (emulated) return;
    const subscriber = db.duplicate();
    this.subscriber = subscriber;
    subscriber.on('ready', () => {
      subscriber.subscribe(channel).then(
        () => {
          this.connected = true;
          this.subscribedOnce = true;
          this.lastHeard = Date.now();
          // Anything read while the subscription was down may predate a change it missed.
          this.events.emit('change', 'all');
        },
        (err: Error) => logger.warn(`oauth2: ${channel}: ${err.message}`)
      );
    });
    subscriber.on('close', () => {
      // debug: the plugin's connection reports the outage once (store-deadline.ts); this only says which caches it
      // turns off.
      if (this.connected)
        logger.debug(
          `oauth2: the subscription to ${channel} lost its Redis connection; ${caches} are off until it is back`
        );
      this.connected = false;
      this.events.emit('change', 'all');
    });
    subscriber.on('error', () => {
      /* 'close' follows and reports; ioredis reconnects by itself */
    });
    if (isCluster(db)) this.listenForHeartbeats(logger, caches);
    subscriber.on('message', (from: string, message: string) => {
      if (from !== channel) return;
      this.lastHeard = Date.now();
      if (!this.connected && this.subscribedOnce) {
        // Heard again after a silence (a cluster subscriber moved): whatever was missed meanwhile, forget everything.
        this.connected = true;
        this.events.emit('change', 'all');
      }
      if (message === HEARTBEAT) return;
      try {
        this.events.emit('change', JSON.parse(message) as T);
      } catch {
        this.events.emit('change', 'all');
      }
    });
  }

  private lastHeard = 0;
  private subscribedOnce = false;
  private readonly timers: NodeJS.Timeout[] = [];

  /**
   * On a Redis Cluster, ioredis moves a subscription whose node failed to
   * another node without a word (no 'close' of the client it gave us), and
   * what was published meanwhile is lost. So every instance says it is alive
   * on the channel each second (it hears itself too): a subscriber that
   * hears nothing for SILENCE_MS is taken as lost, its caches are off and
   * emptied, until it hears again.
   */
  private listenForHeartbeats(logger: EgLogger, caches: string): void {
    const beat = setInterval(() => {
      this.db.publish(this.channel, HEARTBEAT).catch(() => {
        /* the watchdog below notices the silence */
      });
    }, HEARTBEAT_MS);
    const watchdog = setInterval(() => {
      if (!this.connected || Date.now() - this.lastHeard <= SILENCE_MS) return;
      logger.debug(
        `oauth2: the subscription to ${this.channel} went silent; ${caches} are off until it is heard again`
      );
      this.connected = false;
      this.events.emit('change', 'all');
    }, HEARTBEAT_MS / 2);
    for (const timer of [beat, watchdog]) this.timers.push(timer.unref());
  }

  /** Announces a change to this instance at once, and to the others through Redis. */
  publish(event: T): void {
    this.events.emit('change', event);
    if (this.emulated) return;
    this.db.publish(this.channel, JSON.stringify(event)).catch(() => {
      // Other instances may keep a cached copy until its deadline (every cache fed by a ChangeFeed has one); the store
      // itself is already updated.
    });
  }

  onChange(listener: ChangeListener<T>): void {
    this.events.on('change', listener);
  }

  /** Stops telling `listener` (a cache that was replaced). */
  offChange(listener: ChangeListener<T>): void {
    this.events.off('change', listener);
  }
}
