import fs from 'fs';
import os from 'os';
import path from 'path';
import Redis from 'ioredis';
import { Tracked, spawnTracked } from '../../support/child-process';
import { freePort } from '../../support/gateway';
import { FOREGROUND_WITHOUT_PERSISTENCE, REDIS_SERVER } from '../../support/redis-cluster';

export { REDIS_SERVER };

/**
 * A redis-server of the test's own, on a free port of 127.0.0.1, that the
 * test may stop, freeze and start again. Its data lives in a temporary
 * folder and survives a stop (SHUTDOWN SAVE) and the next start on the same
 * port, as a production Redis with persistence would.
 */
export class OwnRedis {
  private running: Tracked | null = null;

  private constructor(
    readonly port: number,
    private readonly dir: string
  ) {}

  static available(): boolean {
    return fs.existsSync(REDIS_SERVER);
  }

  static async start(): Promise<OwnRedis> {
    const redis = new OwnRedis(await freePort(), fs.mkdtempSync(path.join(os.tmpdir(), 'eg-oauth2-redis-')));
    await redis.start();
    return redis;
  }

  /** The db section of system.config for a gateway on this Redis. */
  gatewayConfig(namespace: string): Record<string, unknown> {
    return { emulate: false, host: '127.0.0.1', port: this.port, namespace };
  }

  /** Starts the server (again) on its port, with the data it saved, and waits until it answers PING. */
  async start(): Promise<void> {
    if (this.running) throw new Error('redis-server is already running');
    this.running = spawnTracked(
      REDIS_SERVER,
      ['--port', String(this.port), '--bind', '127.0.0.1', '--dir', this.dir, ...FOREGROUND_WITHOUT_PERSISTENCE],
      {}
    );
    const deadline = Date.now() + 10000;
    while (!(await this.answers())) {
      if (this.running.process.exitCode !== null || Date.now() > deadline) {
        throw new Error(`redis-server did not start on port ${this.port}:\n${this.running.output()}`);
      }
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  /** Saves the data and stops the server: clients see their connections closed and refused. */
  async stop(): Promise<void> {
    if (!this.running) return;
    const client = new Redis({
      port: this.port,
      host: '127.0.0.1',
      lazyConnect: true,
      maxRetriesPerRequest: 0,
      retryStrategy: () => null
    });
    await client.connect();
    await client.shutdown('SAVE').catch(() => {
      /* the server closes the connection instead of answering */
    });
    client.disconnect();
    await this.running.exited;
    this.running = null;
  }

  /** Freezes the process (SIGSTOP): connections stay open but nothing answers, like a host that went silent. */
  freeze(): void {
    this.running?.process.kill('SIGSTOP');
  }

  thaw(): void {
    this.running?.process.kill('SIGCONT');
  }

  /** Kills the server if it runs and removes its data. */
  async destroy(): Promise<void> {
    if (this.running) {
      this.running.process.kill('SIGCONT');
      this.running.process.kill('SIGKILL');
      await this.running.exited;
      this.running = null;
    }
    fs.rmSync(this.dir, { recursive: true, force: true });
  }

  private async answers(): Promise<boolean> {
    const client = new Redis({
      port: this.port,
      host: '127.0.0.1',
      lazyConnect: true,
      maxRetriesPerRequest: 0,
      retryStrategy: () => null,
      connectTimeout: 1000
    });
    client.on('error', () => {
      /* a refused connection is the answer */
    });
    try {
      await client.connect();
      return (await client.ping()) === 'PONG';
    } catch {
      return false;
    } finally {
      client.disconnect();
    }
  }
}
