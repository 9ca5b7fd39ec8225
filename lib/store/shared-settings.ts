import { createHash, randomBytes, scrypt, ScryptOptions } from 'crypto';
import fs from 'fs';
import { promisify } from 'util';
import type { StoreConnection } from './store-connection';
import type { EgLogger } from '../eg/types';
import type { Settings } from '../settings';

const slowHash = promisify(scrypt) as (
  secret: string,
  salt: string,
  length: number,
  options: ScryptOptions
) => Promise<Buffer>;
/**
 * One of OWASP's scrypt settings for secrets (N=2^16, r=8, p=2: 64 MiB, a few hundred ms, once per start, off the event
 * loop).
 */
const SCRYPT: ScryptOptions = { N: 2 ** 16, r: 8, p: 2, maxmem: 96 * 1024 * 1024 };
const SALT = 'express-gateway-plugin-oauth2: settings every instance shares';

/**
 * The deployment's own salt: made by the first instance to start on this
 * Redis and read by every other, so that the stored digests of secret
 * settings cannot be attacked with a table made once for every deployment.
 */
async function deploymentSalt(db: StoreConnection, prefix: string): Promise<string> {
  const key = `${prefix}shared-settings-salt`;
  await db.set(key, randomBytes(16).toString('base64url'), 'NX');
  return `${SALT}:${await db.get(key)}`;
}
/** What this process recorded last, per Redis key: a hot reload that changes settings is not another instance. */
const recordedHere = new Map<string, Record<string, string>>();

/**
 * The settings every gateway instance on one Redis must agree on, by the
 * name the warning gives, and what goes wrong when they differ.
 */
function sharedGroups(settings: Settings): Record<string, { value: unknown; secret?: boolean; breaks: string }> {
  return {
    issuer: {
      value: [settings.issuer, settings.basePath, settings.routes],
      breaks: 'tokens and redirects name another issuer'
    },
    'session.secret': {
      value: [settings.session.secret, settings.session.name],
      secret: true,
      breaks: 'a sign-in on one instance is unknown to the other'
    },
    keys: {
      value: settings.keys.map((key) => [key.kid, key.alg, key.key ?? fs.readFileSync(key.keyFile!, 'utf8')]),
      secret: true,
      breaks: 'JWTs signed by one instance are refused by the other'
    },
    accessToken: {
      value: [settings.accessToken.format, settings.accessToken.audience],
      breaks: 'access tokens differ by instance'
    },
    grants: { value: settings.grants, breaks: 'a flow started on one instance fails on the other' },
    limits: {
      value: [settings.login, settings.clientAuth, settings.device, settings.trustProxy],
      breaks: 'the guessing limits differ by instance'
    },
    refreshToken: {
      value: settings.refreshToken,
      breaks: 'refresh tokens live, rotate and end differently by instance'
    },
    'oidc.pairwiseSecret': {
      // Hashed slowly only when set: an instance without it differs all the same.
      value: settings.oidc.pairwiseSecret ?? null,
      secret: settings.oidc.pairwiseSecret !== undefined,
      breaks: 'a pairwise client is told another sub for the same user by each instance'
    },
    clientUrls: {
      value: settings.clientUrls,
      breaks: 'a client key URL accepted at registration on one instance is refused by another'
    },
    'par, dpop': {
      value: [settings.par, settings.dpop],
      breaks:
        'a request that was not pushed, or a DPoP proof without a nonce, is taken by one instance and refused by another'
    }
  };
}

/**
 * Compares this instance's shared settings with those the previous
 * instance to start on the same Redis recorded, warns about every group that
 * differs (expected once per instance while such a setting is being changed
 * one instance at a time), and records its own. Digests only, and slow
 * salted ones (scrypt) of the groups that hold secrets.
 */
export async function compareSharedSettings(
  db: StoreConnection,
  prefix: string,
  settings: Settings,
  logger: EgLogger
): Promise<void> {
  const groups = sharedGroups(settings);
  const salt = await deploymentSalt(db, prefix);
  const mine: Record<string, string> = {};
  for (const [name, { value, secret }] of Object.entries(groups)) {
    const text = JSON.stringify(value);
    const digest = secret
      ? await slowHash(text, salt, 16, SCRYPT)
      : createHash('sha256').update(salt).update(text).digest();
    mine[name] = digest.toString('base64url');
  }
  const key = `${prefix}shared-settings`;
  const recorded = await db.hgetall(key);
  await db.hmset(key, mine);
  const before = recordedHere.get(key);
  recordedHere.set(key, mine);
  const differing = Object.keys(mine).filter(
    (name) => recorded[name] !== undefined && recorded[name] !== mine[name] && recorded[name] !== before?.[name]
  );
  if (differing.length === 0) {
    if (Object.keys(recorded).length > 0)
      logger.info('oauth2: the shared settings match those of the previous instance started on this Redis');
    return;
  }
  const consequences = differing.map((name) => `${name} (${groups[name]?.breaks})`).join('; ');
  logger.warn(
    `oauth2: another gateway instance on this Redis started with other settings: ${consequences}. ` +
      'Every instance needs the same plugin settings; this is expected only while one is being changed instance by instance.'
  );
}
