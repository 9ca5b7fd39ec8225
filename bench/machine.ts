import { execFileSync } from 'child_process';
import os from 'os';
import Redis from 'ioredis';

export interface Machine {
  cpu: string;
  cores: number;
  memoryGiB: number;
  os: string;
  node: string;
  expressGateway: string;
  redis: string;
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

/** What the numbers were measured on; the Redis version when a real Redis took part. */
export async function describeMachine(redisUrl: string | null, loadAtStart: number): Promise<Machine> {
  const cpus = os.cpus();
  let info = '';
  if (redisUrl) {
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
    commit: gitCommit(),
    loadAtStart
  };
}
