/**
 * The body of a bcrypt worker thread (see BcryptPool): bcryptjs runs here,
 * off the gateway's event loop, one job at a time, at a lower priority.
 */
import bcrypt from 'bcryptjs';
import os from 'os';
import { parentPort } from 'worker_threads';

export type BcryptJob =
  | { id: number; op: 'compare'; secret: string; hash: string }
  | { id: number; op: 'hash'; secret: string; rounds: number };
export type BcryptAnswer = { id: number; result: boolean | string } | { id: number; error: string };

/**
 * bcrypt is background work next to the API calls of the event loop: this
 * thread yields the CPU to them when cores are short (on Linux, a priority
 * set with pid 0 is the calling thread's alone). Raising one's own nice value
 * needs no privilege; where it is refused the thread runs at normal priority.
 */
try {
  os.setPriority(0, os.constants.priority.PRIORITY_BELOW_NORMAL);
} catch {
  // another platform's rules: normal priority
}

parentPort?.on('message', (job: BcryptJob) => {
  const work: Promise<boolean | string> =
    job.op === 'compare' ? bcrypt.compare(job.secret, job.hash) : bcrypt.hash(job.secret, job.rounds);
  work.then(
    (result) => parentPort!.postMessage({ id: job.id, result } satisfies BcryptAnswer),
    (err: Error) => parentPort!.postMessage({ id: job.id, error: err.message } satisfies BcryptAnswer)
  );
});
