import { ChildProcess, spawn, SpawnOptions } from 'child_process';

/** A node child process whose output is kept and whose exit can be awaited. */
export interface Tracked {
  process: ChildProcess;
  output(): string;
  exited: Promise<number | null>;
}

/** Every child a test started and that has not exited: killed when the test process exits, whatever happened. */
const running = new Set<ChildProcess>();
process.once('exit', () => {
  for (const child of running) child.kill('SIGKILL');
});

/** `node <args>`, with stdout and stderr collected. */
export function spawnNode(args: string[], options: SpawnOptions): Tracked {
  return spawnTracked(process.execPath, args, options);
}

/** Any program, with stdout and stderr collected, killed with the test process at the latest. */
export function spawnTracked(command: string, args: string[], options: SpawnOptions): Tracked {
  const child = spawn(command, args, { ...options, stdio: ['ignore', 'pipe', 'pipe'] });
  running.add(child);
  let output = '';
  child.stdout!.on('data', (chunk) => {
    output += chunk;
  });
  child.stderr!.on('data', (chunk) => {
    output += chunk;
  });
  const exited = new Promise<number | null>((resolve) =>
    child.once('exit', (code) => {
      running.delete(child);
      resolve(code);
    })
  );
  return { process: child, output: () => output, exited };
}
