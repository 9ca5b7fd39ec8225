import type { EgLogger } from '../eg/types';
import { keep } from '../eg/process-state';
import { ReloadTracker } from '../eg/reload-tracker';
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
  private reserved: ReservedPath[] = [];
  /** Which gateway.config's API endpoints EG may be serving: each one's paths stay reserved (see reload-tracker.ts). */
  private readonly configurations = new ReloadTracker<ReservedPath[]>((inForce) => {
    this.reserved = inForce.flat();
    this.said = '';
    void this.refresh();
  });
  private logger: EgLogger;
  private reading: Promise<void> | null = null;
  /** The read to run once the current one ends (one, however many changes came meanwhile). */
  private next: Promise<void> | null = null;
  private retry: NodeJS.Timeout | null = null;
  /** What was said about skipped entries last, so that it is said once, not every 30 s. */
  private said = '';

  private readonly follow = () => void this.refresh();
  private readonly reread: NodeJS.Timeout;

  private constructor(private readonly directory: ServerDirectory, logger: EgLogger) {
    this.logger = logger;
    directory.onChange(this.follow);
    this.reread = setInterval(this.follow, REREAD_MS).unref();
  }

  /** One per directory and process (lib/eg/process-state.ts). */
  static for(directory: ServerDirectory, logger: EgLogger): LiveListenPaths {
    return keep('listen paths', `directory ${directory.serial}`, () => new LiveListenPaths(directory, logger), (paths) => paths.dispose());
  }

  /** Stops following the directory (one no configuration asks for any more). */
  dispose(): void {
    this.directory.offChange(this.follow);
    clearInterval(this.reread);
    if (this.retry) clearTimeout(this.retry);
  }

  /** A number for the configuration an init reads (EG's hot reload runs init again). */
  beginConfiguration(): number {
    return this.configurations.begin();
  }

  /**
   * Takes the paths a configuration reserves, when EG mounts its routes:
   * at start, on a hot reload, and again for an older configuration when
   * EG refuses a newer one and keeps the pipelines it had.
   */
  mountedWith(configuration: number, reserved: ReservedPath[], logger: EgLogger): void {
    this.logger = logger;
    this.configurations.mounted(configuration, reserved);
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
    this.reading = this.read().finally(() => { this.reading = null; });
    return this.reading;
  }

  private async read(): Promise<void> {
    try {
      this.table = ListenPathTable.build(await this.directory.registry.list(), this.reserved);
      this.report();
    } catch (err) {
      this.logger.warn(`oauth2: the listen paths could not be read (${(err as Error).message}); the last ones read stay mounted, trying again`);
      if (!this.retry) this.retry = setTimeout(() => { this.retry = null; void this.refresh(); }, RETRY_MS).unref();
    }
  }

  private report(): void {
    const lines = [...this.table.skipped].map(([name, why]) => `oauth2: the listen paths of the server ${JSON.stringify(name)} are not mounted: ${why.join('; ')}`);
    const said = lines.join('\n');
    if (said === this.said) return;
    this.said = said;
    for (const line of lines) this.logger.warn(line);
  }
}
