import { EventEmitter } from 'events';
import type { Redis } from 'ioredis';
import type { EgLogger } from '../eg/types';

/** What was revoked: token digests, JWT ids, grant ids, or everything of an app or user. */
export interface RevocationEvent {
  tokens?: string[];
  jtis?: string[];
  grants?: string[];
  apps?: string[];
  users?: string[];
}

/** A revocation, or `'all'` when revocations may have been missed (the subscription dropped): forget everything. */
export type RevocationListener = (event: RevocationEvent | 'all') => void;

const feeds = new Map<string, RevocationFeed>();

/**
 * Tells every gateway instance sharing the Redis about revocations, so that
 * anything an instance caches about a token is dropped at once (Redis
 * pub/sub, typically within milliseconds). The emulated store lives in one
 * process, so there the feed is an in-process event.
 *
 * One feed per channel and process: EG re-runs plugin init on hot reload,
 * and a second subscriber connection would leak.
 */
export class RevocationFeed {
  private readonly events = new EventEmitter();
  /** False while the subscription is down: caches must not be trusted, nor filled. */
  connected: boolean;

  static for(db: Redis, channel: string, emulated: boolean, logger: EgLogger): RevocationFeed {
    let feed = feeds.get(channel);
    if (!feed) {
      feed = new RevocationFeed(db, channel, emulated, logger);
      feeds.set(channel, feed);
    }
    return feed;
  }

  private constructor(private readonly db: Redis, private readonly channel: string, private readonly emulated: boolean, logger: EgLogger) {
    this.events.setMaxListeners(0);
    this.connected = emulated;
    if (emulated) return;
    const subscriber = db.duplicate();
    subscriber.on('ready', () => {
      subscriber.subscribe(channel).then(() => { this.connected = true; }, (err: Error) => logger.warn(`oauth2: revocation feed: ${err.message}`));
    });
    subscriber.on('close', () => {
      if (this.connected) logger.warn('oauth2: revocation feed lost its Redis connection; token caches are off until it is back');
      this.connected = false;
      this.events.emit('revoked', 'all');
    });
    subscriber.on('error', () => { /* 'close' follows and reports; ioredis reconnects by itself */ });
    subscriber.on('message', (from: string, message: string) => {
      if (from !== channel) return;
      try {
        this.events.emit('revoked', JSON.parse(message) as RevocationEvent);
      } catch {
        this.events.emit('revoked', 'all');
      }
    });
  }

  /** Announces a revocation to this instance at once, and to the others through Redis. */
  publish(event: RevocationEvent): void {
    this.events.emit('revoked', event);
    if (this.emulated) return;
    this.db.publish(this.channel, JSON.stringify(event)).catch(() => {
      // Other instances may keep a cached answer; caches are bounded in time, and the store itself is already updated.
    });
  }

  onRevoked(listener: RevocationListener): void {
    this.events.on('revoked', listener);
  }
}
