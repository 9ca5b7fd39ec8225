import fs from 'fs';
import os from 'os';
import path from 'path';
import type { BenchConfig } from './config';
import { ProfileSummary, summarizeProfile } from './cpu-profile';
import type { LoadResult } from './load';
import type { Scenario } from './scenarios';
import { runSession } from './session';
import type { Store, StoreName } from './stores';

export interface ProfiledRun {
  scenario: string;
  store: StoreName;
  result: LoadResult;
  summary: ProfileSummary;
  file: string;
}

/**
 * Runs one scenario again with the gateway under `node --cpu-prof` and
 * summarizes where its main thread's CPU time went during the measured load only. The profile is kept under
 * `profileDir` for a closer look (e.g. in Chrome DevTools).
 */
export async function profileScenario(
  scenario: Scenario,
  store: Store,
  backend: { url: string; pid: number },
  config: BenchConfig,
  profileDir: string
): Promise<ProfiledRun> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'eg-bench-prof-'));
  let result: LoadResult | undefined;
  await runSession({
    kind: scenario.gateway,
    scenarios: [scenario],
    store,
    backend,
    config: { ...config, duration: config.profileDuration, tokenDuration: config.profileDuration },
    nodeArgs: ['--cpu-prof', '--cpu-prof-dir', dir, '--require', path.join(__dirname, 'exit-on-sigterm.js')],
    onResult: (_id, run) => {
      result = run;
    }
  });
  // Worker threads (the bcrypt pool) write profiles of their own: CPU.<date>.<time>.<pid>.<thread id>.<seq>.cpuprofile;
  // the main thread's id is 0.
  const [written] = fs.readdirSync(dir).filter((f) => /\.0\.\d+\.cpuprofile$/.test(f));
  if (!written || !result) throw new Error(`no profile written for ${scenario.id} in ${dir}`);
  fs.mkdirSync(profileDir, { recursive: true });
  const file = path.join(profileDir, `${store.name}-${scenario.id.replace(/[^a-z0-9]+/gi, '-')}.cpuprofile`);
  fs.copyFileSync(path.join(dir, written), file);
  fs.rmSync(dir, { recursive: true, force: true });
  return { scenario: scenario.id, store: store.name, result, summary: summarizeProfile(file, result.window), file };
}
