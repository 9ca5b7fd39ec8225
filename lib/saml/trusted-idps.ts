import fs from 'fs';
import type { Settings } from '../settings';
import { loadIdpKeys, TrustedIdp } from './idp-keys';

/**
 * The identity providers of samlBearer.identityProviders with their signing
 * keys, loaded at start so that a bad certificate stops the gateway with
 * the entry named, not the first request.
 * @throws TypeError naming the entry.
 */
export function trustedIdps(settings: Settings): TrustedIdp[] {
  return settings.samlBearer.identityProviders.map((entry, index) => {
    const where = `plugins.oauth2.samlBearer.identityProviders.${index}`;
    if ((entry.certificate === undefined) === (entry.certificateFile === undefined)) {
      throw new TypeError(`${where} needs either certificate or certificateFile`);
    }
    let pem = entry.certificate;
    try {
      pem ??= fs.readFileSync(entry.certificateFile!, 'utf8');
      return { issuer: entry.issuer, keys: loadIdpKeys(pem) };
    } catch (err) {
      throw new TypeError(`${where}: ${(err as Error).message}`);
    }
  });
}
