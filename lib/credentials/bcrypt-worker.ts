/**
 * The body of a bcrypt worker thread (see BcryptPool): bcryptjs runs here,
 * off the gateway's event loop, one job at a time.
 */
import bcrypt from 'bcryptjs';
import { parentPort } from 'worker_threads';

export type BcryptJob = { id: number; op: 'compare'; secret: string; hash: string } | { id: number; op: 'hash'; secret: string; rounds: number };
export type BcryptAnswer = { id: number; result: boolean | string } | { id: number; error: string };

parentPort?.on('message', (job: BcryptJob) => {
  const work: Promise<boolean | string> = job.op === 'compare' ? bcrypt.compare(job.secret, job.hash) : bcrypt.hash(job.secret, job.rounds);
  work.then(
    (result) => parentPort!.postMessage({ id: job.id, result } satisfies BcryptAnswer),
    (err: Error) => parentPort!.postMessage({ id: job.id, error: err.message } satisfies BcryptAnswer)
  );
});
