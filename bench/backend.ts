import path from 'path';
import { spawnNode } from '../support/child-process';

export interface Backend {
  url: string;
  pid: number;
  stop(): Promise<void>;
}

/** Starts bench/echo-server in a child process and waits for its URL. */
export async function startBackend(): Promise<Backend> {
  const child = spawnNode([path.join(__dirname, 'echo-server.js')], {});
  const deadline = Date.now() + 10000;
  let line: string | undefined;
  while (!(line = /^(http:\/\/\S+)\n/.exec(child.output())?.[1])) {
    if (child.process.exitCode !== null || Date.now() > deadline) {
      child.process.kill();
      throw new Error(`echo backend did not start:\n${child.output()}`);
    }
    await new Promise((r) => setTimeout(r, 20));
  }
  return {
    url: line,
    pid: child.process.pid!,
    async stop() {
      if (child.process.exitCode === null && child.process.signalCode === null) {
        child.process.kill('SIGTERM');
        await child.exited;
      }
    }
  };
}
