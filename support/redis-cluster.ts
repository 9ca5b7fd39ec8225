import fs from 'fs';
import net from 'net';
import os from 'os';
import path from 'path';
import Redis from 'ioredis';
import { Tracked, spawnTracked } from './child-process';
import { freePort } from './gateway';

/** Debian's binaries (the redis-server package); test/helpers/redis-server.ts uses the same server. */
export const REDIS_SERVER = '/usr/bin/redis-server';
export const REDIS_CLI = '/usr/bin/redis-cli';
/** A test's or the bench's redis-server: nothing written to disk, in the foreground, reachable without a password. */
export const FOREGROUND_WITHOUT_PERSISTENCE = [
  '--save',
  '',
  '--appendonly',
  'no',
  '--daemonize',
  'no',
  '--protected-mode',
  'no'
];
/** util-linux: lets a node die with the Node process even when that one is SIGKILLed and cannot clean up. */
const SETPRIV = '/usr/bin/setpriv';
const HOST = '127.0.0.1';
/** Redis Cluster listens for its bus on the client port + 10000 (Redis Cluster spec, "Cluster bus"). */
const BUS_OFFSET = 10000;
const POLL_MS = 100;
const STOP_GRACE_MS = 2000;

export interface LocalRedisClusterOptions {
  /** At least 3, which redis-cli --cluster create demands (default 3). */
  primaries?: number;
  /** Default 1, so that killPrimary has a replica to promote. */
  replicasPerPrimary?: number;
  /** cluster-node-timeout: how long a silent node takes to be suspected, hence the failover time (default 1000). */
  nodeTimeoutMs?: number;
}

/** One line of CLUSTER NODES, as far as these helpers need it. */
interface NodeView {
  id: string;
  port: number;
  flags: string[];
  masterId: string | null;
  slots: Array<[number, number]>;
}

/** The bus ports of every cluster this process started: freePort() knows nothing of them. */
const busPorts = new Set<number>();

/** The folders of clusters not stopped yet; child-process kills their nodes on exit, this removes their files. */
const folders = new Set<string>();
process.once('exit', () => {
  for (const dir of folders) fs.rmSync(dir, { recursive: true, force: true });
});

/**
 * A Redis Cluster of redis-server processes on free ports of 127.0.0.1, for
 * tests, the bench and the demo. It can crash a primary (SIGKILL) and wait
 * for its replica to take over, and start the crashed node again. The nodes'
 * files live in a temporary folder removed by stop().
 */
export class LocalRedisCluster {
  readonly nodes: Array<{ host: string; port: number }>;
  /** A node's process while it runs; null once killed (until restart). */
  private readonly running = new Map<number, Tracked | null>();
  private stopping: Promise<void> | null = null;

  private constructor(
    ports: number[],
    private readonly dir: string,
    private readonly nodeTimeoutMs: number
  ) {
    this.nodes = ports.map((port) => ({ host: HOST, port }));
  }

  static available(): boolean {
    return fs.existsSync(REDIS_SERVER) && fs.existsSync(REDIS_CLI);
  }

  static async start(options: LocalRedisClusterOptions = {}): Promise<LocalRedisCluster> {
    const primaries = options.primaries ?? 3;
    const replicas = options.replicasPerPrimary ?? 1;
    if (!Number.isInteger(primaries) || primaries < 3) throw new Error('a Redis Cluster needs at least 3 primaries');
    if (!Number.isInteger(replicas) || replicas < 0) throw new Error('replicasPerPrimary must be an integer >= 0');
    const ports = await clusterPorts(primaries * (1 + replicas));
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'eg-oauth2-redis-cluster-'));
    folders.add(dir);
    const cluster = new LocalRedisCluster(ports, dir, options.nodeTimeoutMs ?? 1000);
    try {
      const deadline = Date.now() + 20000;
      await Promise.all(ports.map((port) => cluster.startNode(port, deadline)));
      await cluster.create(replicas, deadline);
      await cluster.waitHealthy('the cluster to form', deadline);
      return cluster;
    } catch (error) {
      await cluster.stop();
      throw error;
    }
  }

  /** The ports of the primaries that serve slots now (failovers change them). */
  async primaryPorts(): Promise<number[]> {
    const view = await this.view();
    return view
      .filter(servesSlots)
      .map((node) => node.port)
      .sort((a, b) => a - b);
  }

  /** The port of the primary serving the slot of `key` now. */
  async primaryOf(key: string): Promise<number> {
    const port = this.livePorts()[0];
    if (port === undefined) throw new Error('no node of the cluster runs');
    const slot = Number(await ask(port, (client) => client.cluster('KEYSLOT', key)));
    const owner = (await this.view()).find(
      (node) => servesSlots(node) && node.slots.some(([from, to]) => from <= slot && slot <= to)
    );
    if (!owner) throw new Error(`no primary serves slot ${slot} (key ${key})`);
    return owner.port;
  }

  /**
   * Crashes a primary (SIGKILL: no goodbye to its peers or clients) and waits
   * until a replica of it was promoted and every surviving node says
   * cluster_state:ok again.
   */
  async killPrimary(port: number): Promise<void> {
    const view = await this.view();
    const victim = view.find((node) => node.port === port);
    if (!victim || !servesSlots(victim)) throw new Error(`${port} is not a primary serving slots`);
    if (!view.some((node) => node.masterId === victim.id && !failing(node))) {
      throw new Error(`primary ${port} has no live replica: nothing would take over`);
    }
    const tracked = this.running.get(port);
    this.running.set(port, null);
    tracked?.process.kill('SIGKILL');
    await tracked?.exited;
    await this.waitHealthy(`a replica to take over from ${port}`, Date.now() + this.failoverTimeoutMs());
  }

  /**
   * Starts a killed node again on its port. Its nodes.conf makes it rejoin,
   * and since its slots moved it becomes a replica of the promoted node;
   * waits until it replicates and the cluster is healthy.
   */
  async restart(port: number): Promise<void> {
    if (this.stopping) throw new Error('the cluster was stopped');
    if (!this.running.has(port)) throw new Error(`${port} is not a node of this cluster`);
    if (this.running.get(port)) throw new Error(`node ${port} already runs`);
    const deadline = Date.now() + this.failoverTimeoutMs();
    await this.startNode(port, deadline);
    await this.waitHealthy(`node ${port} to rejoin`, deadline);
  }

  /** Freezes every running node (SIGSTOP): connections stay open and nothing answers, as on a network partition. */
  freeze(): void {
    for (const tracked of this.running.values()) tracked?.process.kill('SIGSTOP');
  }

  /** Lets frozen nodes run again (SIGCONT). */
  thaw(): void {
    for (const tracked of this.running.values()) tracked?.process.kill('SIGCONT');
  }

  /** used_memory summed over the primaries: what the data set costs, replicas aside. */
  async bytesUsed(): Promise<number> {
    const sizes = await Promise.all(
      (await this.primaryPorts()).map(async (port) =>
        Number(field(await ask(port, (c) => c.info('memory')), 'used_memory'))
      )
    );
    return sizes.reduce((sum, size) => sum + size, 0);
  }

  /** DBSIZE summed over the primaries (each key lives on exactly one). */
  async keyCount(): Promise<number> {
    const counts = await Promise.all((await this.primaryPorts()).map((port) => ask(port, (c) => c.dbsize())));
    return counts.reduce((sum, count) => sum + count, 0);
  }

  /** How many keys matching `pattern` each primary holds (SCAN per primary: a test's and the bench's question). */
  async keysPerPrimary(pattern: string): Promise<number[]> {
    return Promise.all(
      (await this.primaryPorts()).map((port) =>
        ask(port, async (client) => {
          let [cursor, count] = ['0', 0];
          do {
            const [next, keys] = await client.scan(cursor, 'MATCH', pattern, 'COUNT', 1000);
            [cursor, count] = [next, count + keys.length];
          } while (cursor !== '0');
          return count;
        })
      )
    );
  }

  /** How often the running nodes ran a command (INFO commandstats), summed: 0 for one never run. */
  async commandCount(command: string): Promise<number> {
    const counts = await Promise.all(
      this.livePorts().map(async (port) => {
        const stats = await ask(port, (client) => client.info('commandstats'));
        return Number(new RegExp(`^cmdstat_${command.toLowerCase()}:calls=(\\d+)`, 'm').exec(stats)?.[1] ?? 0);
      })
    );
    return counts.reduce((sum, count) => sum + count, 0);
  }

  /** Waits until every replica has caught up with its primary's replication offset (what a crash would lose). */
  async replicated(timeoutMs = 5000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const behind = await Promise.all(
        (await this.primaryPorts()).map(async (port) => {
          const replication = await ask(port, (client) => client.info('replication'));
          const offset = Number(field(replication, 'master_repl_offset'));
          const replicas = [...replication.matchAll(/^slave\d+:.*offset=(\d+)/gm)].map((m) => Number(m[1]));
          return replicas.length === 0 || replicas.some((replica) => replica < offset);
        })
      );
      if (!behind.includes(true)) return;
      if (Date.now() > deadline) throw new Error('the replicas did not catch up with their primaries');
      await delay(POLL_MS);
    }
  }

  /** Stops every node (SIGTERM, then SIGKILL) and removes their files; later calls wait for the first. */
  stop(): Promise<void> {
    this.stopping ??= (async () => {
      const processes = [...this.running.values()].filter((tracked): tracked is Tracked => tracked !== null);
      for (const port of this.running.keys()) this.running.set(port, null);
      await Promise.all(processes.map(terminate));
      fs.rmSync(this.dir, { recursive: true, force: true });
      folders.delete(this.dir);
    })();
    return this.stopping;
  }

  /** Every node's output, for error messages. */
  output(): string {
    return [...this.running.entries()]
      .map(([port, tracked]) => `--- ${port}${tracked ? '' : ' (not running)'}\n${tracked?.output() ?? ''}`)
      .join('\n');
  }

  /** PFAIL, FAIL and the promotion take a few node timeouts; 20 s leaves room on a loaded machine. */
  private failoverTimeoutMs(): number {
    return Math.max(20000, 10 * this.nodeTimeoutMs);
  }

  private livePorts(): number[] {
    return [...this.running.entries()].filter(([, tracked]) => tracked !== null).map(([port]) => port);
  }

  /** Starts the node of `port` and waits until it answers PING. */
  private async startNode(port: number, deadline: number): Promise<void> {
    const tracked = spawnServer(port, this.dir, this.nodeTimeoutMs);
    this.running.set(port, tracked);
    while (!(await answers(port))) {
      if (hasExited(tracked) || Date.now() > deadline) {
        throw new Error(`redis-server did not start on port ${port}:\n${tracked.output()}`);
      }
      await delay(50);
    }
  }

  /** redis-cli --cluster create: assigns the slots and the replicas, and makes the nodes meet. */
  private async create(replicas: number, deadline: number): Promise<void> {
    const addresses = this.nodes.map((node) => `${node.host}:${node.port}`);
    const cli = spawnTracked(
      REDIS_CLI,
      ['--cluster', 'create', ...addresses, '--cluster-replicas', String(replicas), '--cluster-yes'],
      {}
    );
    const code = await Promise.race([cli.exited, delay(Math.max(0, deadline - Date.now())).then(() => 'timeout')]);
    if (code === 'timeout') cli.process.kill('SIGKILL');
    if (code !== 0) throw new Error(`redis-cli --cluster create failed (${code}):\n${cli.output()}\n${this.output()}`);
  }

  /** Polls until healthProblem() finds nothing; fails with the last problem and the nodes' output. */
  private async waitHealthy(what: string, deadline: number): Promise<void> {
    for (;;) {
      const crashed = this.livePorts().find((port) => hasExited(this.running.get(port)!));
      if (crashed !== undefined) throw new Error(`node ${crashed} exited while waiting for ${what}:\n${this.output()}`);
      const problem = await this.healthProblem().catch((error: Error) => error.message);
      if (problem === null) return;
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}: ${problem}\n${this.output()}`);
      await delay(POLL_MS);
    }
  }

  /**
   * What keeps the cluster from being settled, or null. Every running node
   * must say cluster_state:ok, know every node, replicate if it is a replica,
   * and agree with the others on who runs, who is a replica and who serves
   * slots; the killed nodes must be seen as failed and serve nothing.
   * cluster_state alone is not enough: it stays ok for a node timeout after
   * a crash, before anyone noticed.
   */
  private async healthProblem(): Promise<string | null> {
    const live = this.livePorts();
    const states = await Promise.all(live.map((port) => nodeState(port)));
    for (const [index, state] of states.entries()) {
      const port = live[index]!;
      const problem = ownProblem(state, this.nodes.length) ?? viewProblem(state.view, live, states);
      if (problem) return `node ${port}: ${problem}`;
    }
    return null;
  }

  /** CLUSTER NODES as one running node sees it. */
  private async view(): Promise<NodeView[]> {
    let lastError: unknown = new Error('no node of the cluster runs');
    for (const port of this.livePorts()) {
      try {
        return parseNodes(await ask(port, (client) => client.cluster('NODES')));
      } catch (error) {
        lastError = error;
      }
    }
    throw lastError;
  }
}

interface NodeState {
  clusterInfo: string;
  role: string;
  replication: string;
  view: NodeView[];
}

async function nodeState(port: number): Promise<NodeState> {
  return ask(port, async (client) => {
    const [clusterInfo, replication, nodes] = await Promise.all([
      client.cluster('INFO') as Promise<string>,
      client.info('replication'),
      client.cluster('NODES') as Promise<string>
    ]);
    return { clusterInfo, replication, role: field(replication, 'role') ?? '?', view: parseNodes(nodes) };
  });
}

/** What a node says of itself that is not settled yet, or null. */
function ownProblem(state: NodeState, nodeCount: number): string | null {
  const clusterState = field(state.clusterInfo, 'cluster_state');
  if (clusterState !== 'ok') return `cluster_state:${clusterState}`;
  const known = Number(field(state.clusterInfo, 'cluster_known_nodes'));
  if (known !== nodeCount) return `knows ${known} of ${nodeCount} nodes`;
  const link = field(state.replication, 'master_link_status');
  if (state.role === 'slave' && link !== 'up') return `master_link_status:${link}`;
  return null;
}

/** How one node's CLUSTER NODES disagrees with the running nodes' own roles. */
function viewProblem(view: NodeView[], live: number[], states: NodeState[]): string | null {
  for (const node of view) {
    const index = live.indexOf(node.port);
    if (index < 0) {
      if (!node.flags.includes('fail') || node.slots.length > 0) return `sees killed ${node.port} as ${node.flags}`;
      continue;
    }
    if (failing(node)) return `sees ${node.port} as ${node.flags}`;
    const role = states[index]!.role;
    if (!node.flags.includes(role === 'slave' ? 'slave' : 'master')) {
      return `sees ${node.port} (a ${role}) as ${node.flags}`;
    }
    // A crashed primary that comes back keeps its master role, without slots, until told to replicate.
    if (role === 'master' && node.slots.length === 0) return `sees master ${node.port} without slots`;
  }
  return null;
}

/** `name:value` out of an INFO or CLUSTER INFO reply. */
function field(info: string, name: string): string | undefined {
  return new RegExp(`^${name}:(.*)$`, 'm').exec(info)?.[1]?.trim();
}

/**
 * `<id> <ip:port@cport[,hostname]> <flags> <master> <ping-sent> <pong-recv> <epoch> <link> <slot>...`;
 * slots are `n` or `from-to`, and `[...]` entries are slots being migrated, which nobody moves here.
 */
function parseNodes(text: string): NodeView[] {
  return text
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => {
      const [id = '', address = '', flags = '', master = '-', ...rest] = line.trim().split(' ');
      const slots = rest
        .slice(4)
        .filter((slot) => !slot.startsWith('['))
        .map((slot): [number, number] => {
          const [from, to = from] = slot.split('-').map(Number) as [number, number?];
          return [from, to];
        });
      const port = Number(address.split('@')[0]?.split(':').pop());
      return { id, port, flags: flags.split(','), masterId: master === '-' ? null : master, slots };
    });
}

function failing(node: NodeView): boolean {
  return node.flags.some((flag) => ['fail', 'fail?', 'handshake', 'noaddr'].includes(flag));
}

function servesSlots(node: NodeView): boolean {
  return node.flags.includes('master') && !failing(node) && node.slots.length > 0;
}

/** `count` free ports whose bus port (+10000) is free as well, none of them another's bus port. */
async function clusterPorts(count: number): Promise<number[]> {
  const ports: number[] = [];
  for (let attempt = 0; ports.length < count; attempt++) {
    if (attempt > 50 * count) throw new Error('found no free port pairs for a Redis Cluster');
    const port = await freePort();
    const bus = port + BUS_OFFSET;
    if (bus > 65535 || busPorts.has(port) || busPorts.has(bus) || !(await canListen(bus))) continue;
    busPorts.add(bus);
    ports.push(port);
  }
  return ports;
}

function canListen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = net.createServer();
    server.once('error', () => resolve(false));
    server.listen(port, HOST, () => server.close(() => resolve(true)));
  });
}

function spawnServer(port: number, dir: string, nodeTimeoutMs: number): Tracked {
  const args = [
    '--port',
    String(port),
    '--bind',
    HOST,
    '--cluster-enabled',
    'yes',
    '--cluster-config-file',
    path.join(dir, `nodes-${port}.conf`),
    '--cluster-node-timeout',
    String(nodeTimeoutMs),
    ...FOREGROUND_WITHOUT_PERSISTENCE,
    '--dir',
    dir,
    // A primary otherwise waits 5 s for more replicas before a full sync, which start and restart would wait for.
    '--repl-diskless-sync-delay',
    '0'
  ];
  // child-process kills its children when Node exits normally; the parent-death signal covers a SIGKILLed Node.
  if (fs.existsSync(SETPRIV)) return spawnTracked(SETPRIV, ['--pdeathsig', 'KILL', '--', REDIS_SERVER, ...args], {});
  return spawnTracked(REDIS_SERVER, args, {});
}

/** SIGTERM, then SIGKILL if the node is still there after a short grace. */
async function terminate(tracked: Tracked): Promise<void> {
  if (hasExited(tracked)) return;
  tracked.process.kill('SIGCONT');
  tracked.process.kill('SIGTERM');
  const timer = setTimeout(() => tracked.process.kill('SIGKILL'), STOP_GRACE_MS);
  await tracked.exited;
  clearTimeout(timer);
}

function hasExited(tracked: Tracked): boolean {
  return tracked.process.exitCode !== null || tracked.process.signalCode !== null;
}

/** One command exchange with one node over a throwaway connection that never retries. */
async function ask<T>(port: number, use: (client: Redis.Redis) => Promise<T>): Promise<T> {
  const client = new Redis({
    host: HOST,
    port,
    lazyConnect: true,
    maxRetriesPerRequest: 0,
    retryStrategy: () => null,
    connectTimeout: 1000,
    commandTimeout: 2000
  });
  client.on('error', () => {
    /* reported by the command that fails */
  });
  try {
    await client.connect();
    return await use(client);
  } finally {
    client.disconnect();
  }
}

async function answers(port: number): Promise<boolean> {
  return ask(port, (client) => client.ping()).then(
    (reply) => reply === 'PONG',
    () => false
  );
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
