import { ChildProcess, fork } from 'child_process';
import path from 'path';

/**
 * Who sends the wrong secrets: `naive`, one known client_id from one
 * address (locked after clientAuth.maxFailuresPerClient, then refused
 * without a bcrypt); `distributed`, many client ids in turn, each request
 * from a fresh address, so that neither counter locks for a long while and
 * every attempt costs a bcrypt, or a 503 once the pool's queue is full.
 */
export type FloodShape = 'naive' | 'distributed';

export interface FloodPlan {
  tokenUrl: string;
  shape: FloodShape;
  /** Wrong secrets per second. */
  rate: number;
  /** Existing client ids, used in turn. */
  clients: string[];
}

/** The flood's answers by kind, from its start (or, as a difference, during one run). */
export interface FloodTally {
  seconds: number;
  sent: number;
  /** 401 invalid_client: a wrong secret, checked. */
  invalidClient: number;
  /** 401 invalid_client with Retry-After: the client or the address is locked. */
  locked: number;
  /** 503 temporarily_unavailable: every bcrypt worker busy and the queue full. */
  busy: number;
  other: number;
  /** Connection errors. */
  errors: number;
}

export type FloodMessage = { type: 'start'; plan: FloodPlan } | { type: 'tally' } | { type: 'stop' };

export interface Flood {
  pid: number;
  /** The answers counted so far. */
  tally(): Promise<FloodTally>;
  /** Stops sending and ends the process; @returns the final tally. */
  stop(): Promise<FloodTally>;
}

/** What the flood got between two tallies. */
export function tallySince(now: FloodTally, before: FloodTally): FloodTally {
  const since = { ...now };
  for (const key of Object.keys(since) as Array<keyof FloodTally>) since[key] = now[key] - before[key];
  return since;
}

/** Every flood still running is killed when the bench exits, however it exits. */
const running = new Set<ChildProcess>();
process.once('exit', () => {
  for (const child of running) child.kill('SIGKILL');
});

/** Starts bench/flood-process with this plan; resolves once it is sending. The process ends when disconnected. */
export async function startFlood(plan: FloodPlan): Promise<Flood> {
  const child = fork(path.join(__dirname, 'flood-process.js'), [], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  running.add(child);
  const exited = new Promise<void>((resolve) =>
    child.once('exit', () => {
      running.delete(child);
      resolve();
    })
  );
  const ask = (message: FloodMessage) =>
    new Promise<FloodTally>((resolve, reject) => {
      const gone = () => reject(new Error(`the flood process exited (${message.type})`));
      child.once('exit', gone);
      child.once('message', (tally: FloodTally) => {
        child.off('exit', gone);
        resolve(tally);
      });
      child.send(message);
    });
  await ask({ type: 'start', plan });
  return {
    pid: child.pid!,
    tally: () => ask({ type: 'tally' }),
    async stop() {
      const tally = await ask({ type: 'stop' });
      child.disconnect();
      await exited;
      return tally;
    }
  };
}
