/**
 * The parts of Express Gateway 1.16 this plugin relies on. EG's own
 * index.d.ts describes little of the plugin context, so these are ours.
 */
import type { Application, Request, RequestHandler } from 'express';

export interface RedisOptions {
  namespace?: string;
  emulate?: boolean;
  host?: string;
  port?: number;
  db?: number;
}
export interface SystemConfig {
  db?: { redis?: RedisOptions };
  crypto?: { saltRounds?: number };
}
export interface GatewayConfig {
  http?: { port?: number; hostname?: string };
  admin?: { port?: number; host?: string; hostname?: string };
  /** Each API endpoint: one place (host, paths) or a list of them. */
  apiEndpoints?: Record<string, unknown>;
  pipelines?: Record<
    string,
    { apiEndpoints?: string[] | string; policies?: Array<Record<string, unknown> | null> } | null
  >;
}

/** EG's models (config/models/*.json): JSON Schemas of what EG lets consumers hold. */
export interface EgModels {
  applications?: { properties?: Record<string, unknown> };
}

export interface EgLogger {
  error(message: string): void;
  warn(message: string): void;
  info(message: string): void;
  debug(message: string): void;
}

/** An EG application (a client, in OAuth terms). Custom properties are strings. */
export interface EgApplication {
  id: string;
  name: string;
  userId: string;
  isActive: boolean;
  createdAt?: string;
  updatedAt?: string;
  redirectUri?: string;
  [property: string]: unknown;
}

export interface EgUser {
  id: string;
  username: string;
  isActive: boolean;
  createdAt?: string;
  updatedAt?: string;
  [property: string]: unknown;
}

export interface EgCredential {
  id?: string;
  consumerId?: string;
  isActive: boolean;
  scopes?: string[];
  [property: string]: unknown;
}

export type EgConsumer = (EgApplication & { type: 'application' }) | (EgUser & { type: 'user' });

export interface EgServices {
  application: {
    get(id: string): Promise<EgApplication | false>;
    insert(app: Record<string, string>, userId: string): Promise<EgApplication>;
    getAll(userId: string): Promise<EgApplication[]>;
    update(id: string, properties: Record<string, string>): Promise<boolean>;
    remove(id: string): Promise<boolean>;
  };
  user: {
    get(id: string): Promise<EgUser | false>;
    find(username: string): Promise<EgUser | false>;
    insert(user: Record<string, string>): Promise<EgUser>;
  };
  credential: {
    getCredential(id: string, type: string, options?: { includePassword?: boolean }): Promise<EgCredential | null>;
    insertCredential(consumerId: string, type: string, details: Record<string, unknown>): Promise<EgCredential>;
    removeCredential(consumerId: string, type: string): Promise<unknown>;
    /** Both keep EG's scope index in step with the credential; each scope must exist. */
    addScopesToCredential(consumerId: string, type: string, scopes: string[]): Promise<boolean>;
    removeScopesFromCredential(consumerId: string, type: string, scopes: string[]): Promise<boolean>;
    /** Every scope registered with `eg scopes create`, or null when there is none. */
    getAllScopes(): Promise<string[] | null>;
  };
  auth: {
    authenticateCredential(id: string, password: string, type: string): Promise<EgConsumer | false>;
  };
}

export interface EgPolicy {
  name: string;
  schema: object;
  policy(params: any, config?: unknown): RequestHandler | RequestHandler[];
}

export interface EgCondition {
  name: string;
  schema: object;
  handler(req: Request, config: any): boolean;
}

export interface PluginContext {
  settings: Record<string, unknown>;
  config: { systemConfig: SystemConfig; gatewayConfig: GatewayConfig; models?: EgModels; systemConfigPath?: string };
  services: EgServices;
  logger: EgLogger;
  registerPolicy(policy: EgPolicy): void;
  registerCondition(condition: EgCondition): void;
  registerGatewayRoute(declare: (app: Application) => void): void;
  registerAdminRoute(declare: (app: Application) => void): void;
}

/** The per-request context EG creates for every pipeline (lib/gateway/context.js). */
export interface EgContext {
  /** The route EG matched: the API endpoint's entry, with its name. */
  apiEndpoint?: { scopes?: string[]; apiEndpointName?: string; host?: string; paths?: string | string[] };
  [key: string]: unknown;
}
