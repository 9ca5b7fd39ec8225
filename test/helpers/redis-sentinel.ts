import fs from 'fs';
import os from 'os';
import path from 'path';
import Redis from 'ioredis';
import { Tracked, spawnTracked } from '../../support/child-process';
import { freePort } from '../../support/gateway';
import { REDIS_SERVER } from './redis-server';

/**
 * One Redis Sentinel of the test's own (redis-server --sentinel) watching a
 * primary under a group name, on a free port of 127.0.0.1; stopped by its PID.
 */
export class OwnSentinel {
  private constructor(
    readonly port: number,
    private readonly tracked: Tracked,
    private readonly dir: string
  ) {}

  static async start(name: string, primaryPort: number): Promise<OwnSentinel> {
    const port = await freePort();
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'eg-oauth2-sentinel-'));
    // Sentinel rewrites its configuration file as it learns, so it must be one of its own.
    const config = path.join(dir, 'sentinel.conf');
    fs.writeFileSync(
      config,
      [
        `port ${port}`,
        'bind 127.0.0.1',
        'protected-mode no',
        `dir ${dir}`,
        `sentinel monitor ${name} 127.0.0.1 ${primaryPort} 1`,
        `sentinel down-after-milliseconds ${name} 1000`
      ].join('\n') + '\n'
    );
    const tracked = spawnTracked(REDIS_SERVER, [config, '--sentinel'], {});
    const sentinel = new OwnSentinel(port, tracked, dir);
    await sentinel.waitUntilItKnows(name);
    return sentinel;
  }

  /** Waits until the sentinel answers with the primary's address for `name`. */
  private async waitUntilItKnows(name: string): Promise<void> {
    const deadline = Date.now() + 10000;
    const client = new Redis({ port: this.port, host: '127.0.0.1', lazyConnect: true, retryStrategy: () => 100 });
    client.on('error', () => {
      /* not listening yet */
    });
    try {
      for (;;) {
        const address = await client.send_command('SENTINEL', 'get-master-addr-by-name', name).catch(() => null);
        if (Array.isArray(address) && address.length === 2) return;
        if (Date.now() > deadline || this.tracked.process.exitCode !== null) {
          throw new Error(`redis sentinel did not start on port ${this.port}:\n${this.tracked.output()}`);
        }
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    } finally {
      client.disconnect();
    }
  }

  async stop(): Promise<void> {
    if (this.tracked.process.exitCode === null) {
      this.tracked.process.kill('SIGKILL');
      await this.tracked.exited;
    }
    fs.rmSync(this.dir, { recursive: true, force: true });
  }
}
