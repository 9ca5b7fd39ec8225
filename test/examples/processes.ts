import { ChildProcess, spawn } from 'child_process';
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

const running = new Set<ChildProcess>();
process.once('exit', () => {
  for (const child of running) child.kill('SIGKILL');
});

/** `node <script>` from the repository root. */
export function runNode(script: string, env: Record<string, string>): Running {
  const child = spawn(process.execPath, [script], { cwd: ROOT, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  running.add(child);
  let output = '';
  child.stdout!.on('data', (chunk) => { output += chunk; });
  child.stderr!.on('data', (chunk) => { output += chunk; });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => {
    running.delete(child);
    resolve(code);
  }));
  let done = false;
  void exited.then(() => { done = true; });
  return {
    process: child,
    output: () => output,
    exited,
    async waitFor(pattern, ms = 15000) {
      const deadline = Date.now() + ms;
      for (;;) {
        const match = pattern.exec(output);
        if (match) return match;
        if (done || Date.now() > deadline) throw new Error(`${script} ${done ? 'exited' : 'timed out'} before printing ${pattern}:\n${output}`);
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
