import { EventEmitter } from 'events';
import type { Redis } from 'ioredis';
import type { EgLogger } from '../eg/types';
import { keep } from '../eg/process-state';

/** A change, or `'all'` when changes may have been missed (the subscription dropped): forget everything. */
export type ChangeListener<T> = (event: T | 'all') => void;

let made = 0;

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
  static for<T>(db: Redis, channel: string, emulated: boolean, logger: EgLogger, caches: string): ChangeFeed<T> {
    return keep(
      `feed ${channel}`,
      String(emulated),
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

  private subscriber: Redis | null = null;
  /** Tells feeds apart: what follows one is made anew with a new feed. */
  readonly serial = ++made;

  /** Ends the subscription and forgets every listener (a feed no configuration asks for any more). */
  close(): void {
    this.events.removeAllListeners();
    this.subscriber?.disconnect();
    this.subscriber = null;
  }

  private constructor(
    private readonly db: Redis,
    private readonly channel: string,
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
    subscriber.on('message', (from: string, message: string) => {
      if (from !== channel) return;
      try {
        this.events.emit('change', JSON.parse(message) as T);
      } catch {
        this.events.emit('change', 'all');
      }
    });
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
