import fs from 'fs';

/** Linux's USER_HZ: /proc counts CPU time in these ticks. */
const TICKS_PER_SECOND = 100;

/** CPU time (ticks) the whole machine spent busy: everything but idle and iowait. */
function machineBusy(): number {
  const [, ...fields] = fs.readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/);
  const [user, nice, system, , , irq, softirq, steal] = fields.map(Number);
  return user + nice + system + irq + softirq + steal;
}

/** CPU time (ticks) one process spent, user and system (fields 14 and 15 of /proc/<pid>/stat). */
function processBusy(pid: number): number {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return Number(fields[11]) + Number(fields[12]);
  } catch {
    return 0;
  }
}

/** Cores kept busy during a run: by the gateway under test, and by processes that are not the bench's. */
export interface CpuUse {
  gateway: number;
  others: number;
}

/**
 * Starts counting CPU time; the returned function tells what was used
 * since. `others` is the machine's busy time less the bench's own processes
 * (gateway, backend, load generator): other work on a shared machine, which
 * slows a run down. Without /proc (not Linux) it answers null.
 */
export function measureCpu(gatewayPid: number, benchPids: number[]): () => CpuUse | null {
  if (!fs.existsSync('/proc/stat')) return () => null;
  const ours = () => [gatewayPid, ...benchPids].reduce((sum, pid) => sum + processBusy(pid), 0);
  const started = {
    at: process.hrtime.bigint(),
    machine: machineBusy(),
    ours: ours(),
    gateway: processBusy(gatewayPid)
  };
  return () => {
    const seconds = Number(process.hrtime.bigint() - started.at) / 1e9;
    const cores = (ticks: number) => ticks / TICKS_PER_SECOND / seconds;
    return {
      gateway: cores(processBusy(gatewayPid) - started.gateway),
      others: Math.max(0, cores(machineBusy() - started.machine - (ours() - started.ours)))
    };
  };
}
