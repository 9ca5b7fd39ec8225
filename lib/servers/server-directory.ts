import type { StoreConnection } from '../store/store-connection';
import type { EgLogger } from '../eg/types';
import { keep } from '../eg/process-state';
import { ChangeFeed } from '../store/change-feed';
import type { ServerEntry } from './server-entry';
import { ServerRegistry } from './server.registry';
import { TargetBalancer } from './target-balancer';
import { SERVER_NAME } from '../../schemas/server-name';

const MAX_REMEMBERED = 1000;
/** A missed message (a publish that failed, a subscription that died silently) is outlived by this: milliseconds. */
const MAX_AGE = 30000;

/** The name of a server entry that was added, changed or removed. */
export interface ServerChange {
  name: string;
}

/**
 * The registry as pipelines and the front proxy read it: entries are kept in
 * memory (a protected call must not pay a Redis read for them), and every
 * change made through the admin API is announced on a Redis channel, so
 * each gateway instance drops its copy at once. While the subscription is
 * down, every lookup reads Redis instead; and no copy is kept longer than
 * MAX_AGE, in case a message was lost.
 */
export class ServerDirectory {
  private readonly cached = new Map<string, { entry: ServerEntry | null; until: number }>();
  /** Counts changes: an entry read while one happened may predate it, and is not kept. */
  private generation = 0;
  /** Which target of each endpoint is next: one count per process, whichever path the endpoint is reached by. */
  readonly balancer = new TargetBalancer();

  private readonly follow = (change: ServerChange | 'all') => {
    this.generation += 1;
    this.balancer.reset();
    if (change === 'all') this.cached.clear();
    else this.cached.delete(change.name);
  };

  constructor(
    readonly registry: ServerRegistry,
    private readonly feed: ChangeFeed<ServerChange>
  ) {
    feed.onChange(this.follow);
  }

  /**
   * One directory per channel and process (lib/eg/process-state.ts): EG's hot reload reuses it instead of adding a
   * listener each time.
   */
  static create(db: StoreConnection, prefix: string, emulated: boolean, logger: EgLogger): ServerDirectory {
    const channel = `${prefix}servers-changed`;
    const feed = ChangeFeed.for<ServerChange>(db, channel, emulated, logger, 'cached server entries');
    return keep(
      `server directory ${channel}`,
      `feed ${feed.serial}`,
      () => new ServerDirectory(new ServerRegistry(db, prefix), feed),
      (directory) => directory.dispose()
    );
  }

  /** Stops following the feed (a directory no configuration asks for any more). */
  dispose(): void {
    this.feed.offChange(this.follow);
  }

  /** The entry, or null when no server has that name. */
  async get(name: string): Promise<ServerEntry | null> {
    if (!SERVER_NAME.test(name)) return null;
    const kept = this.cached.get(name);
    if (this.feed.connected && kept && kept.until > Date.now()) return kept.entry;
    const readAt = this.generation;
    const entry = await this.registry.get(name);
    // Unknown names come from request paths too: only so many of them are remembered.
    const room = entry !== null || this.cached.size < MAX_REMEMBERED;
    if (this.feed.connected && readAt === this.generation && room)
      this.cached.set(name, { entry, until: Date.now() + MAX_AGE });
    return entry;
  }

  /**
   * Calls `listener` after each change to an entry, on this instance or another ('all': changes may have been missed).
   */
  onChange(listener: (change: ServerChange | 'all') => void): void {
    this.feed.onChange(listener);
  }

  offChange(listener: (change: ServerChange | 'all') => void): void {
    this.feed.offChange(listener);
  }

  /** Tells directories apart: what follows one is made anew with a new one. */
  get serial(): number {
    return this.feed.serial;
  }

  /** Whether changes are heard (while not, what was read from the registry may be stale). */
  get listening(): boolean {
    return this.feed.connected;
  }

  /** Tells every instance (this one included) that the entry changed; call after writing it. */
  announce(name: string): void {
    this.feed.publish({ name });
  }
}
