import { generateKeyPairSync } from 'crypto';
import fs from 'fs';
import path from 'path';
import type { AdminClient } from '../support/admin-client';
import type { DemoDir } from './demo-dir';
import { DEMO_CONFIG_DIR } from './demo-env';

/** What `DEMO_PROFILE=fapi2` changes in the demo's system.config.yml, each edit required to apply once. */
const FAPI2_EDITS: Array<[RegExp, string]> = [
  [/^( {4})package: \$\{OAUTH2_PLUGIN_PACKAGE\}$/m, '$&\n$1profile: fapi2'],
  // FAPI 2.0 allows neither grant, nor a rotated refresh token, nor clients with a secret of their own making.
  [/^ {6}- implicit\n/m, ''],
  [/^ {6}- password\n/m, ''],
  [/^ {6}rotate: true\n/m, ''],
  [/^( {4}clientRegistration:\n {6})enabled: true$/m, '$1enabled: false'],
  // ID tokens are signed RS256, which FAPI 2.0 does not allow.
  [/^( {4}oidc:\n {6})enabled: true$/m, '$1enabled: false']
];

/**
 * `DEMO_PROFILE=fapi2 npm start`: the demo's configuration with `profile: fapi2` (the FAPI 2.0 Security Profile), in a
 * private copy of demo/config.
 * @returns the configuration folder to load.
 */
export function fapi2ConfigDir(demoDir: DemoDir): string {
  const folder = demoDir.privateFolder('config-');
  fs.cpSync(DEMO_CONFIG_DIR, folder, { recursive: true });
  const system = path.join(folder, 'system.config.yml');
  let text = fs.readFileSync(system, 'utf8');
  for (const [line, replacement] of FAPI2_EDITS) {
    if (!line.test(text)) throw new Error(`${system}: no line matches ${line} for the FAPI 2.0 profile`);
    text = text.replace(line, replacement);
  }
  fs.writeFileSync(system, text);
  return folder;
}

/** The demo's FAPI 2.0 client as examples/fapi2.mjs reads it from demo.json. */
export interface FapiClient {
  id: string;
  kid: string;
  /** Its private key (PKCS #8 PEM, ES256), which signs its client assertions; the app holds the public half. */
  privateKeyFile: string;
  scopes: string[];
}

/**
 * A confidential app authenticating with private_key_jwt (its public key registered as `jwks`), with the samples'
 * redirect URI: what FAPI 2.0 lets use the gateway.
 */
export async function seedFapiClient(
  admin: AdminClient,
  demoDir: DemoDir,
  owner: { userId: string; redirectUri: string; scopes: string[] }
): Promise<FapiClient> {
  const kid = 'demo-fapi-client';
  const pair = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const jwk = { ...pair.publicKey.export({ format: 'jwk' }), kid, alg: 'ES256', use: 'sig' };
  const app = await admin.registerClient(
    {
      name: 'Demo FAPI client',
      userId: owner.userId,
      redirectUri: owner.redirectUri,
      jwks: JSON.stringify({ keys: [jwk] }),
      tokenEndpointAuthMethod: 'private_key_jwt'
    },
    owner.scopes
  );
  const privateKeyFile = demoDir.writeKey(
    'fapi-client.pem',
    pair.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString()
  );
  return { id: app.id, kid, privateKeyFile, scopes: owner.scopes };
}
