import http from 'http';
import type { AddressInfo } from 'net';

/** What an app's back-channel logout endpoint received, and how it answers the next POST. */
export class LogoutReceiver {
  readonly tokens: string[] = [];
  /** The statuses of the next answers, first first; 200 once they run out. `hold`: answer only when released. */
  answers: Array<number | 'hold'> = [];
  private held: Array<() => void> = [];
  private waiting: Array<() => void> = [];
  private readonly server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (chunk) => (body += chunk));
    req.on('end', () => {
      this.tokens.push(new URLSearchParams(body).get('logout_token') ?? '');
      for (const wake of this.waiting.splice(0)) wake();
      const answer = this.answers.shift() ?? 200;
      if (answer === 'hold') this.held.push(() => res.writeHead(200).end());
      else res.writeHead(answer).end();
    });
  });

  async start(): Promise<string> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/backchannel-logout`;
  }

  /** Resolves once `count` logout tokens have arrived. */
  async received(count: number): Promise<void> {
    while (this.tokens.length < count) await new Promise<void>((resolve) => this.waiting.push(resolve));
  }

  release(): void {
    for (const answer of this.held.splice(0)) answer();
  }

  stop(): Promise<void> {
    this.release();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}
