import fs from 'fs';
import path from 'path';
import type { EgModels, GatewayConfig, SystemConfig } from '../eg/types';

/** A gateway's configuration, read by the gateway's own Express Gateway, as it will read it at start. */
export interface GatewayFolder {
  /** The folder holding config/ (node_modules is looked up from here). */
  dir: string;
  configDir: string;
  system: SystemConfig & { plugins?: Record<string, Record<string, unknown> | null> } & Record<string, unknown>;
  gateway: GatewayConfig;
  models: EgModels;
  /** The system.config file EG read. */
  systemPath: string;
  /** The express-gateway installation that will run this folder. */
  egRoot: string;
}

/** Where a module resolves from the gateway folder, the way EG's plugin loader and `node server.js` would find it. */
export function resolveFrom(dir: string, request: string): string {
  return require.resolve(request, { paths: [dir] });
}

/**
 * Loads system.config and gateway.config (yml or json, with EG's
 * ${VARIABLE} substitution and schema checks) and the models, with the
 * folder's own express-gateway (or, failing that, the one beside this plugin).
 * @throws Error saying what could not be read.
 */
export function readGatewayFolder(configDir: string): GatewayFolder {
  const absolute = path.resolve(configDir);
  if (!fs.existsSync(absolute))
    throw new Error(`${absolute} does not exist: name the gateway's config folder (the one holding system.config.yml)`);
  const dir = path.dirname(absolute);
  let egPackage: string;
  try {
    egPackage = resolveFrom(dir, 'express-gateway/package.json');
  } catch {
    egPackage = require.resolve('express-gateway/package.json');
  }
  const egRoot = path.dirname(egPackage);
  process.env.EG_CONFIG_DIR = absolute;
  const Config = require(path.join(egRoot, 'lib', 'config', 'config.js')) as new () => {
    loadConfig(type: 'system' | 'gateway'): void;
    loadModels(): void;
    systemConfigPath: string;
    systemConfig: GatewayFolder['system'];
    gatewayConfig: GatewayConfig;
    models: EgModels;
  };
  const config = new Config();
  config.loadConfig('system');
  config.loadConfig('gateway');
  config.loadModels();
  return {
    dir,
    configDir: absolute,
    system: config.systemConfig,
    gateway: config.gatewayConfig,
    models: config.models,
    systemPath: config.systemConfigPath,
    egRoot
  };
}
