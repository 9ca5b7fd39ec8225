import type { ChildProcess } from 'child_process';
import { spawnNode } from '../../support/child-process';
import path from 'path';

export const ROOT = path.resolve(__dirname, '../../..');

/** A child process whose output is kept, and whose exit can be awaited. */
export interface Running {
  process: ChildProcess;
  output(): string;
  exited: Promise<number | null>;
  /** Resolves with the first match of `pattern` in the output; rejects if the process exits or `ms` pass first. */
  waitFor(pattern: RegExp, ms?: number): Promise<RegExpExecArray>;
  /** SIGTERM, then SIGKILL if it is still there after a few seconds. */
  stop(): Promise<void>;
}

/** `node <script>` from the repository root. */
export function runNode(script: string, env: Record<string, string>): Running {
  const { process: child, output, exited } = spawnNode([script], { cwd: ROOT, env: { ...process.env, ...env } });
  let done = false;
  void exited.then(() => {
    done = true;
  });
  return {
    process: child,
    output,
    exited,
    async waitFor(pattern, ms = 15000) {
      const deadline = Date.now() + ms;
      for (;;) {
        const match = pattern.exec(output());
        if (match) return match;
        if (done || Date.now() > deadline)
          throw new Error(`${script} ${done ? 'exited' : 'timed out'} before printing ${pattern}:\n${output()}`);
        await new Promise((r) => setTimeout(r, 50));
      }
    },
    async stop() {
      if (done) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
      await exited;
      clearTimeout(timer);
    }
  };
}
