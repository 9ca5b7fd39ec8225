import { execFileSync } from 'child_process';
import os from 'os';
import Redis from 'ioredis';
import { REDIS_SERVER } from '../support/redis-cluster';
import type { StoreName } from './store-names';

export interface Machine {
  cpu: string;
  cores: number;
  memoryGiB: number;
  os: string;
  node: string;
  expressGateway: string;
  redis: string;
  /** The redis-server version of the cluster's nodes; null when the cluster store did not run. */
  redisCluster: string | null;
  commit: string;
  /** 1-minute load average when the bench started: other work on the machine shows here. */
  loadAtStart: number;
}

function gitCommit(): string {
  try {
    return execFileSync('git', ['rev-parse', '--short', 'HEAD'], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore']
    }).trim();
  } catch {
    return 'unknown';
  }
}

/** The version of the redis-server binary the cluster's nodes run (`Redis server v=7.0.15 sha=…`). */
function clusterVersion(): string {
  try {
    const banner = execFileSync(REDIS_SERVER, ['--version'], { encoding: 'utf8' });
    return /v=(\S+)/.exec(banner)?.[1] ?? 'unknown';
  } catch {
    return 'unknown';
  }
}

/** What the numbers were measured on; the Redis versions of the real stores that took part. */
export async function describeMachine(stores: StoreName[], redisUrl: string, loadAtStart: number): Promise<Machine> {
  const cpus = os.cpus();
  let info = '';
  // The cluster store keeps EG's data on the same real Redis as the redis store.
  if (stores.some((store) => store !== 'emulated')) {
    const client = new Redis(redisUrl, { maxRetriesPerRequest: 2 });
    info = await client.info('server').finally(() => client.disconnect());
  }
  return {
    cpu: cpus[0]?.model.trim() ?? 'unknown',
    cores: cpus.length,
    memoryGiB: Math.round(os.totalmem() / 2 ** 30),
    os: `${os.type()} ${os.release()} ${os.arch()}`,
    node: process.version,
    expressGateway: (require('express-gateway/package.json') as { version: string }).version,
    redis: /redis_version:(\S+)/.exec(info)?.[1] ?? 'not used',
    redisCluster: stores.includes('cluster') ? clusterVersion() : null,
    commit: gitCommit(),
    loadAtStart
  };
}
