// A local Redis Cluster for the demo, until Ctrl-C:
//   node dist/support/redis-cluster-cli.js
// then, in another terminal, the line it prints (DEMO_REDIS_CLUSTER=... npm start).
import { LocalRedisCluster } from './redis-cluster';

async function main(): Promise<void> {
  if (!LocalRedisCluster.available()) {
    console.error('redis-cluster: needs /usr/bin/redis-server and /usr/bin/redis-cli (apt-get install redis-server)');
    process.exit(1);
  }
  const cluster = await LocalRedisCluster.start();
  // Registered before anything else can fail, so that no node outlives this process.
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      console.log(`redis-cluster: ${signal}, stopping the nodes`);
      cluster.stop().then(
        () => process.exit(0),
        (error: unknown) => {
          console.error(error);
          process.exit(1);
        }
      );
    });
  }
  const primaries = new Set(await cluster.primaryPorts());
  for (const node of cluster.nodes) {
    console.log(`${node.host}:${node.port} ${primaries.has(node.port) ? 'primary' : 'replica'}`);
  }
  const addresses = cluster.nodes.map((node) => `${node.host}:${node.port}`).join(',');
  console.log(`DEMO_REDIS_CLUSTER=${addresses} npm start`);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
