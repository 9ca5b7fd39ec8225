import fs from 'fs';
import path from 'path';
import type { DemoDir } from './demo-dir';
import { DEMO_CONFIG_DIR } from './demo-env';

/** Where system.config.yml names the plugin's package: the store setting goes right after it. */
const PACKAGE_LINE = /^( {4})package: \$\{OAUTH2_PLUGIN_PACKAGE\}$/m;

/**
 * `DEMO_REDIS_CLUSTER=host:port[,host:port…] npm start`: the demo's
 * configuration with the plugin's data on that Redis Cluster
 * (store.redis.cluster), in a private copy of demo/config; EG's own records
 * stay where demo/config puts them. `node dist/support/redis-cluster-cli.js`
 * starts a local cluster and prints the line.
 * @returns the configuration folder to load.
 * @throws Error naming the variable for a value that is no list of host:port.
 */
export function clusterConfigDir(demoDir: DemoDir, nodes: string): string {
  const cluster = nodes.split(',').map((node) => {
    const [, host, port] = /^\s*([^\s:]+):(\d{1,5})\s*$/.exec(node) ?? [];
    if (!host || !port || Number(port) < 1 || Number(port) > 65535) {
      throw new Error(`DEMO_REDIS_CLUSTER must be host:port[,host:port…], not "${nodes}"`);
    }
    return `          - { host: '${host}', port: ${port} }`;
  });
  const folder = demoDir.privateFolder('config-');
  fs.cpSync(DEMO_CONFIG_DIR, folder, { recursive: true });
  const system = path.join(folder, 'system.config.yml');
  const text = fs.readFileSync(system, 'utf8');
  if (!PACKAGE_LINE.test(text)) throw new Error(`${system}: no line names the plugin's package`);
  const store = ['$&', '    store:', '      redis:', '        cluster:', ...cluster].join('\n');
  fs.writeFileSync(system, text.replace(PACKAGE_LINE, store));
  return folder;
}
