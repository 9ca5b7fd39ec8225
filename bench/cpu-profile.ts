import fs from 'fs';

/** The parts of a V8 .cpuprofile (what node --cpu-prof writes) that self time needs. */
interface CpuProfile {
  nodes: Array<{ id: number; callFrame: CallFrame; children?: number[] }>;
  /** Microseconds on the monotonic clock, the clock of process.hrtime in any process of the machine. */
  startTime: number;
  samples: number[];
  timeDeltas: number[];
}

interface CallFrame {
  functionName: string;
  url: string;
  lineNumber: number;
}

export interface Hotspot {
  name: string;
  where: string;
  share: number;
  /** The heaviest call path into it, nearest caller first. */
  callers: string[];
}

export interface ProfileSummary {
  /** Milliseconds sampled while the process was not idle. */
  busyMs: number;
  /** Self time by package (or plugin, node core, GC), as shares of busy time. */
  byWhere: Hotspot[];
  /**
   * The same time with node core and native frames charged to the nearest
   * package up their stack: what each package costs, the node APIs it calls
   * included (a hash, a socket write). Time with no package above it stays
   * where it is (GC, the event loop).
   */
  byOwner: Hotspot[];
  /** The functions with the most self time, heaviest first. */
  functions: Hotspot[];
}

/** Which code a frame belongs to: the npm package, the plugin's own dist/, node itself, or V8. */
export function whereOf(url: string, functionName: string): string {
  if (!url) return functionName.startsWith('(') ? functionName : 'native';
  if (url.startsWith('node:')) return 'node core';
  const packages = [...url.matchAll(/node_modules\/((?:@[^/]+\/)?[^/]+)/g)];
  if (packages.length > 0) return packages[packages.length - 1][1];
  if (url.includes('/dist/')) return 'plugin';
  return url;
}

function nameOf(frame: CallFrame): string {
  const file = frame.url.split('/').slice(-1)[0];
  return `${frame.functionName || '(anonymous)'}${file ? ` ${file}:${frame.lineNumber + 1}` : ''}`;
}

function shares(totals: Map<string, number>, busy: number, limit: number): Hotspot[] {
  return [...totals]
    .sort((x, y) => y[1] - x[1])
    .slice(0, limit)
    .map(([where, ms]) => ({ name: where, where, share: ms / busy, callers: [] }));
}

/**
 * Self time per function and per package of a .cpuprofile, idle time left
 * out. With a window (monotonic microseconds, e.g. from process.hrtime of
 * the load generator), only samples inside it count: the gateway's start,
 * its seeding and the fetching of tokens stay out of the picture.
 */
export function summarizeProfile(file: string, window?: [number, number], limit = 40): ProfileSummary {
  const profile = JSON.parse(fs.readFileSync(file, 'utf8')) as CpuProfile;
  const nodes = new Map(profile.nodes.map((node) => [node.id, node]));
  const parents = new Map<number, number>();
  for (const node of profile.nodes) for (const child of node.children ?? []) parents.set(child, node.id);
  const byFunction = new Map<string, { ms: number; where: string; nodes: Map<number, number> }>();
  const byWhere = new Map<string, number>();
  const byOwner = new Map<string, number>();
  const owners = new Map<number, string>();
  const ownerOf = (id: number): string => {
    let owner = owners.get(id);
    if (owner !== undefined) return owner;
    const frame = nodes.get(id)!.callFrame;
    const where = whereOf(frame.url, frame.functionName);
    const parent = parents.get(id);
    owner =
      (where === 'node core' || where === 'native') &&
      parent !== undefined &&
      nodes.get(parent)!.callFrame.functionName !== '(root)'
        ? ownerOf(parent)
        : where;
    owners.set(id, owner);
    return owner;
  };
  let busy = 0;
  let at = profile.startTime;
  profile.samples.forEach((id, i) => {
    at += profile.timeDeltas[i] ?? 0;
    const frame = nodes.get(id)!.callFrame;
    if (frame.functionName === '(idle)' || (window && (at < window[0] || at > window[1]))) return;
    const ms = (profile.timeDeltas[i + 1] ?? 0) / 1000;
    const where = whereOf(frame.url, frame.functionName);
    const entry = byFunction.get(nameOf(frame)) ?? { ms: 0, where, nodes: new Map<number, number>() };
    entry.ms += ms;
    entry.nodes.set(id, (entry.nodes.get(id) ?? 0) + ms);
    byFunction.set(nameOf(frame), entry);
    byWhere.set(where, (byWhere.get(where) ?? 0) + ms);
    byOwner.set(ownerOf(id), (byOwner.get(ownerOf(id)) ?? 0) + ms);
    busy += ms;
  });
  const callersOf = (heaviest: number): string[] => {
    const path: string[] = [];
    for (let id = parents.get(heaviest); id !== undefined && path.length < 3; id = parents.get(id)) {
      const frame = nodes.get(id)!.callFrame;
      if (frame.functionName === '(root)') break;
      path.push(nameOf(frame));
    }
    return path;
  };
  return {
    busyMs: busy,
    byWhere: shares(byWhere, busy, limit),
    byOwner: shares(byOwner, busy, limit),
    functions: [...byFunction]
      .sort((x, y) => y[1].ms - x[1].ms)
      .slice(0, limit)
      .map(([name, entry]) => ({
        name,
        where: entry.where,
        share: entry.ms / busy,
        callers: callersOf([...entry.nodes].sort((x, y) => y[1] - x[1])[0][0])
      }))
  };
}

// `node dist/bench/cpu-profile.js <file.cpuprofile>`: the same summary for any profile.
if (require.main === module) {
  const summary = summarizeProfile(process.argv[2]);
  const pct = (share: number) => `${(share * 100).toFixed(1)}%`.padStart(6);
  process.stdout.write(`busy ${Math.round(summary.busyMs)} ms\n\nby package:\n`);
  for (const h of summary.byWhere) process.stdout.write(`${pct(h.share)}  ${h.name}\n`);
  process.stdout.write('\nby owning package (node core and native time charged to their caller):\n');
  for (const h of summary.byOwner) process.stdout.write(`${pct(h.share)}  ${h.name}\n`);
  process.stdout.write('\nfunctions (self time), with their heaviest callers:\n');
  for (const h of summary.functions)
    process.stdout.write(`${pct(h.share)}  ${h.name}  [${h.where}]  ← ${h.callers.join(' ← ')}\n`);
}
