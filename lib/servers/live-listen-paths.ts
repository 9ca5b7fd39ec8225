import type { EgLogger } from '../eg/types';
import { keep, whenInForce } from '../eg/process-state';
import { indexOf, listenPathConflicts, ReservedPath } from './listen-path-conflicts';
import { ListenPathTable } from './listen-path-table';
import type { ServerDirectory } from './server-directory';
import type { ServerEntry } from './server-entry';

/** A change message that was lost is outlived by this: the table is read again anyway (milliseconds). */
const REREAD_MS = 30000;
/** After a failed read (Redis down), the next try. */
const RETRY_MS = 1000;

/**
 * The listen paths this instance mounts, kept live: the registry is read
 * again whenever an entry changes on any instance (the directory's change
 * feed, within milliseconds), when the feed comes back after an outage, and
 * every 30 s in case a message was lost. Requests meanwhile use the table
 * read last; one read runs at a time, and a change during it reads again.
 * One per directory and process: EG's hot reload reconfigures it.
 */
export class LiveListenPaths {
  table = ListenPathTable.EMPTY;
  /** The paths of every gateway.config EG may be serving (see lib/eg/process-state.ts): each one's stay reserved. */
  private reserved: ReservedPath[] = [];
  /** What each configuration reserves, by its number. */
  private readonly byConfiguration = new Map<number, ReservedPath[]>();
  private logger: EgLogger;
  private reading: Promise<void> | null = null;
  /** The read to run once the current one ends (one, however many changes came meanwhile). */
  private next: Promise<void> | null = null;
  private retry: NodeJS.Timeout | null = null;
  /** What was said about skipped entries last, so that it is said once, not every 30 s. */
  private said = '';

  private readonly follow = () => void this.refresh();
  private readonly reread: NodeJS.Timeout;

  private constructor(
    private readonly directory: ServerDirectory,
    logger: EgLogger
  ) {
    this.logger = logger;
    directory.onChange(this.follow);
    this.reread = setInterval(this.follow, REREAD_MS).unref();
    whenInForce('listen paths', (inForce) => this.inForce(inForce));
  }

  /** One per directory and process (lib/eg/process-state.ts). */
  static for(directory: ServerDirectory, logger: EgLogger): LiveListenPaths {
    return keep(
      'listen paths',
      `directory ${directory.serial}`,
      () => new LiveListenPaths(directory, logger),
      (paths) => paths.dispose()
    );
  }

  /** Stops following the directory (one no configuration asks for any more). */
  dispose(): void {
    this.directory.offChange(this.follow);
    clearInterval(this.reread);
    if (this.retry) clearTimeout(this.retry);
  }

  /** Takes the paths a configuration reserves (its init calls this; they apply once EG may be serving it). */
  reserve(configuration: number, reserved: ReservedPath[], logger: EgLogger): void {
    this.logger = logger;
    this.byConfiguration.set(configuration, reserved);
  }

  /** EG may be serving these configurations: their paths, and no other's, are reserved. */
  private inForce(configurations: number[]): void {
    const oldest = Math.min(...configurations);
    for (const number of this.byConfiguration.keys()) if (number < oldest) this.byConfiguration.delete(number);
    this.reserved = configurations.flatMap((number) => this.byConfiguration.get(number) ?? []);
    this.said = '';
    void this.refresh();
  }

  /** Why the entry's listen paths could not be mounted beside the registry's others; none when they can. */
  async conflictsOf(entry: ServerEntry): Promise<string[]> {
    return listenPathConflicts(entry, indexOf(await this.directory.registry.list()), this.reserved);
  }

  /** Reads the registry and swaps the table in; resolves once a read that began after this call has ended. */
  refresh(): Promise<void> {
    if (this.reading) {
      this.next ??= this.reading.then(() => {
        this.next = null;
        return this.refresh();
      });
      return this.next;
    }
    this.reading = this.read().finally(() => {
      this.reading = null;
    });
    return this.reading;
  }

  private async read(): Promise<void> {
    try {
      this.table = ListenPathTable.build(await this.directory.registry.list(), this.reserved);
      this.report();
    } catch (err) {
      this.logger.warn(
        `oauth2: the listen paths could not be read (${(err as Error).message}); the last ones read stay mounted, trying again`
      );
      if (!this.retry)
        this.retry = setTimeout(() => {
          this.retry = null;
          void this.refresh();
        }, RETRY_MS).unref();
    }
  }

  private report(): void {
    const lines = [...this.table.skipped].map(
      ([name, why]) =>
        `oauth2: the listen paths of the server ${JSON.stringify(name)} are not mounted: ${why.join('; ')}`
    );
    const said = lines.join('\n');
    if (said === this.said) return;
    this.said = said;
    for (const line of lines) this.logger.warn(line);
  }
}
