import type { StoreConnection } from '../store/store-connection';
import { ServerEntry, storedEntry } from './server-entry';

/**
 * The external authorization servers, in one Redis hash under the plugin's
 * prefix (name -> JSON), so every gateway instance reads the same list.
 */
export class ServerRegistry {
  private readonly key: string;

  constructor(
    private readonly db: StoreConnection,
    prefix: string
  ) {
    this.key = `${prefix}servers`;
  }

  async list(): Promise<ServerEntry[]> {
    const all = await this.db.hgetall(this.key);
    return Object.entries(all ?? {})
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([, value]) => storedEntry(value));
  }

  async get(name: string): Promise<ServerEntry | null> {
    const json: unknown = await this.db.hget(this.key, name);
    // EG's emulated store keeps a hash as a plain object: for "constructor" or "__proto__" it answers what every object
    // inherits.
    return typeof json === 'string' ? storedEntry(json) : null;
  }

  /** Adds a new entry; false when the name is taken. */
  async create(entry: ServerEntry): Promise<boolean> {
    return (await this.db.hsetnx(this.key, entry.name, JSON.stringify(entry))) === 1;
  }

  async replace(entry: ServerEntry): Promise<void> {
    await this.db.hset(this.key, entry.name, JSON.stringify(entry));
  }

  /** False when there was no such entry. */
  async remove(name: string): Promise<boolean> {
    return (await this.db.hdel(this.key, name)) === 1;
  }
}
