import path from 'path';
import { Worker } from 'worker_threads';
import { keep } from '../eg/process-state';
import { TemporarilyUnavailable } from '../errors';
import type { BcryptAnswer, BcryptJob } from './bcrypt-worker';

type Waiting = { job: BcryptJob; resolve: (result: boolean | string) => void; reject: (err: Error) => void };

/** Seconds a client is told to wait when every worker is busy and the queue is full. */
const BUSY_RETRY_AFTER = 1;

/**
 * bcrypt (tens of milliseconds of CPU per check) on worker threads, so that
 * a flood of secrets to check never stalls the event loop that serves every
 * other request of the gateway (issue 15: wrong client secrets took protected
 * calls from 15 ms to seconds). At most `size` checks run at once; at most
 * `maxQueue` more wait. Past that a check is refused at once with 503
 * temporarily_unavailable and Retry-After, rather than queued without bound:
 * a secret recently proven right (VerifiedSecrets) needs no bcrypt and keeps
 * working throughout.
 */
let made = 0;

export class BcryptPool {
  /** Tells pools apart: what holds one is made anew with a new pool. */
  readonly serial = ++made;
  private readonly workers = new Set<Worker>();
  private readonly idle: Worker[] = [];
  private readonly running = new Map<Worker, Waiting>();
  private readonly queue: Waiting[] = [];
  private nextId = 1;

  constructor(
    private readonly size: number,
    private readonly maxQueue: number
  ) {}

  /**
   * The process's pool (lib/eg/process-state.ts): EG's hot reload gets the same one back unless its settings changed
   * (the old one is closed).
   */
  static shared(settings: { workers: number; maxQueue: number }): BcryptPool {
    return keep(
      'bcrypt pool',
      `${settings.workers}:${settings.maxQueue}`,
      () => new BcryptPool(settings.workers, settings.maxQueue),
      (pool) => pool.close()
    );
  }

  compare(secret: string, hash: string): Promise<boolean> {
    return this.submit({ id: this.nextId++, op: 'compare', secret, hash }) as Promise<boolean>;
  }

  hash(secret: string, rounds: number): Promise<string> {
    return this.submit({ id: this.nextId++, op: 'hash', secret, rounds }) as Promise<string>;
  }

  /** Stops every worker; checks still waiting, and any asked for later, fail with 503 (never a new worker). */
  close(): void {
    this.closed = true;
    for (const waiting of this.queue.splice(0)) waiting.reject(this.closedError());
    for (const worker of [...this.workers]) {
      this.retire(worker, this.closedError());
      void worker.terminate();
    }
  }

  private closed = false;

  private closedError(): TemporarilyUnavailable {
    const closed = new TemporarilyUnavailable(
      'The authorization server is restarting a component, try again',
      'the bcrypt pool was closed (a reload changed its settings)'
    );
    closed.headers['Retry-After'] = String(BUSY_RETRY_AFTER);
    return closed;
  }

  private submit(job: BcryptJob): Promise<boolean | string> {
    if (this.closed) return Promise.reject(this.closedError());
    const workerFree = this.idle.length > 0 || this.workers.size < this.size;
    if (!workerFree && this.queue.length >= this.maxQueue) {
      const busy = new TemporarilyUnavailable(
        'The authorization server is busy, try again later',
        `bcrypt queue full (${this.maxQueue} waiting)`
      );
      busy.headers['Retry-After'] = String(BUSY_RETRY_AFTER);
      return Promise.reject(busy);
    }
    return new Promise((resolve, reject) => {
      this.queue.push({ job, resolve, reject });
      this.dispatch();
    });
  }

  private dispatch(): void {
    while (this.queue.length > 0) {
      const worker = this.idle.pop() ?? (this.workers.size < this.size ? this.spawn() : undefined);
      if (!worker) return;
      const waiting = this.queue.shift()!;
      this.running.set(worker, waiting);
      worker.postMessage(waiting.job);
    }
  }

  private spawn(): Worker {
    const worker = new Worker(path.join(__dirname, 'bcrypt-worker.js'));
    worker.unref(); // an idle pool never keeps the process alive
    worker.on('message', (answer: BcryptAnswer) => {
      const waiting = this.running.get(worker);
      this.running.delete(worker);
      this.idle.push(worker);
      if (waiting) {
        if ('error' in answer) waiting.reject(new Error(`bcrypt: ${answer.error}`));
        else waiting.resolve(answer.result);
      }
      this.dispatch();
    });
    worker.on('error', (err) => this.retire(worker, err));
    worker.on('exit', (code) => this.retire(worker, new Error(`a bcrypt worker exited with code ${code}`)));
    this.workers.add(worker);
    return worker;
  }

  /** A worker that died fails its check; the next check starts another. */
  private retire(worker: Worker, err: Error): void {
    if (!this.workers.delete(worker)) return;
    const at = this.idle.indexOf(worker);
    if (at >= 0) this.idle.splice(at, 1);
    const waiting = this.running.get(worker);
    this.running.delete(worker);
    waiting?.reject(err);
    this.dispatch();
  }
}
