import { execFile } from 'child_process';
import fs from 'fs';
import os from 'os';
import path from 'path';
import { promisify } from 'util';
import { spawnNode, Tracked } from '../../support/child-process';

const run = promisify(execFile);
export const ROOT = path.resolve(__dirname, '../../..');
const EG_ROOT = path.dirname(require.resolve('express-gateway/package.json'));
const EG_VERSION = (JSON.parse(fs.readFileSync(path.join(EG_ROOT, 'package.json'), 'utf8')) as { version: string })
  .version;

/** npm, quiet and from its cache when it can: the suite runs on machines that reach only the npm registry. */
export async function npm(cwd: string, args: string[], timeout = 240000): Promise<string> {
  const { stdout } = await run('npm', [...args, '--no-audit', '--no-fund', '--prefer-offline', '--loglevel=error'], {
    cwd,
    timeout,
    maxBuffer: 64 * 1024 * 1024,
    env: { ...process.env, npm_config_update_notifier: 'false' }
  });
  return stdout;
}

export interface StartedFolderGateway extends Tracked {
  url: string;
  adminUrl: string;
  stop(): Promise<void>;
}

/**
 * A gateway folder laid out as `eg gateway create` lays one out (EG's basic
 * template: package.json, server.js, config/ with EG's models), with
 * express-gateway installed into it by npm, as the generator does.
 */
const TEMPLATE = path.join(EG_ROOT, 'bin', 'generators', 'gateway', 'templates', 'basic');

export class GatewayFolder {
  private constructor(readonly dir: string) {}

  static async create(): Promise<GatewayFolder> {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'eg-folder-'));
    fs.copyFileSync(path.join(TEMPLATE, 'package.json'), path.join(dir, 'package.json'));
    fs.copyFileSync(path.join(TEMPLATE, 'server.js'), path.join(dir, 'server.js'));
    const folder = new GatewayFolder(dir);
    folder.resetConfig();
    await npm(dir, ['install', `express-gateway@${EG_VERSION}`]);
    return folder;
  }

  /** config/ as the generator writes it: EG's basic template and EG's models. */
  resetConfig(): void {
    fs.rmSync(this.file('config'), { recursive: true, force: true });
    fs.cpSync(path.join(TEMPLATE, 'config'), this.file('config'), { recursive: true });
    fs.cpSync(path.join(EG_ROOT, 'lib', 'config', 'models'), this.file(path.join('config', 'models')), {
      recursive: true
    });
  }

  file(relative: string): string {
    return path.join(this.dir, relative);
  }

  write(relative: string, text: string): void {
    fs.writeFileSync(this.file(relative), text);
  }

  /** `npm install <spec>` in the folder; answers the installed package's folder (a symlink for a path install). */
  async install(spec: string): Promise<string> {
    await npm(this.dir, ['install', spec]);
    return this.file(path.join('node_modules', 'express-gateway-plugin-oauth2'));
  }

  async uninstall(): Promise<void> {
    await npm(this.dir, ['uninstall', 'express-gateway-plugin-oauth2']);
  }

  /** Points the folder's config at these ports on 127.0.0.1 (EG's template says 8080 and 9876). */
  usePorts(ports: { http: number; admin: number }): void {
    const config = this.file('config/gateway.config.yml');
    const text = fs
      .readFileSync(config, 'utf8')
      .replace(/^http:\n {2}port: \d+/m, `http:\n  port: ${ports.http}\n  hostname: 127.0.0.1`)
      .replace(/^admin:\n {2}port: \d+\n {2}host: localhost/m, `admin:\n  port: ${ports.admin}\n  host: 127.0.0.1`);
    fs.writeFileSync(config, text);
  }

  /** `node server.js`, the way the generated folder starts; resolves once both servers listen. */
  async start(ports: { http: number; admin: number }): Promise<StartedFolderGateway> {
    const tracked = spawnNode(['server.js'], {
      cwd: this.dir,
      env: { ...process.env, EG_DISABLE_CONFIG_WATCH: 'true', LOG_LEVEL: 'info' }
    });
    const stop = async () => {
      if (tracked.process.exitCode === null && tracked.process.signalCode === null) {
        tracked.process.kill('SIGTERM');
        await tracked.exited;
      }
    };
    const deadline = Date.now() + 30000;
    while (
      !/gateway http server listening/.test(tracked.output()) ||
      !/admin http server listening/.test(tracked.output())
    ) {
      if (tracked.process.exitCode !== null || Date.now() > deadline) {
        await stop();
        throw new Error(`the gateway in ${this.dir} did not start:\n${tracked.output()}`);
      }
      await new Promise((r) => setTimeout(r, 50));
    }
    return { ...tracked, url: `http://127.0.0.1:${ports.http}`, adminUrl: `http://127.0.0.1:${ports.admin}`, stop };
  }

  /** `npx eg <args>` in the folder, as the README shows the CLI; answers what it printed. */
  async eg(args: string[]): Promise<string> {
    const { stdout } = await run('npx', ['--no-install', 'eg', ...args], {
      cwd: this.dir,
      timeout: 60000,
      env: { ...process.env, FORCE_COLOR: '0' }
    });
    return stdout;
  }

  remove(): void {
    fs.rmSync(this.dir, { recursive: true, force: true });
  }
}
