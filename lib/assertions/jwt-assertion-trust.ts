import { createHash } from 'crypto';
import { FAPI2_ALGORITHMS, isFapi2 } from '../fapi/fapi2-profile';
import type { Client } from '../clients/client';
import { fetchClientUrl } from '../client-urls/client-url-fetch';
import { clientUrlProblem } from '../client-urls/client-url-rule';
import type { EgLogger } from '../eg/types';
import { keysFromJwkSet } from '../keys/jwk-set';
import { JwtRejected, JwtRules, JwtVerifier } from '../keys/jwt-verifier';
import { KeyEntry, loadKeys } from '../keys/key-entry';
import { isSafeFetchUrl } from '../keys/safe-url';
import type { Settings } from '../settings';

/** App verifiers kept at once; an app whose keys change gets a new one. */
const MAX_CACHED_APPS = 10000;

/**
 * Who may sign JWT assertions, and with which keys: the issuers trusted in
 * settings (RFC 7523 §3 item 1), and each app for itself with the keys it
 * registered as app properties, `jwks` (a JWK Set as JSON) or `jwksUri`,
 * as in RFC 7591 §2. An app's jwksUri is the client's word, however it was
 * set: it is fetched under `clientUrls` (public addresses only), whereas the
 * issuers' are the operator's.
 */
export class JwtAssertionTrust {
  private readonly issuers: Map<string, JwtVerifier>;
  private readonly apps = new Map<string, { fingerprint: string; verifier: JwtVerifier }>();

  constructor(
    private readonly settings: Settings,
    private readonly audiences: string[],
    private readonly logger: EgLogger
  ) {
    this.issuers = new Map(
      settings.jwtBearer.issuers.map((entry, index) => {
        if (entry.jwksUri && !isSafeFetchUrl(entry.jwksUri)) {
          throw new TypeError(
            `plugins.oauth2.jwtBearer.issuers.${index}.jwksUri must be https (plain http only on loopback)`
          );
        }
        const keys = entry.keys ? loadKeys(entry.keys, `plugins.oauth2.jwtBearer.issuers.${index}.keys`) : [];
        const jwks = entry.jwksUri
          ? {
              uri: entry.jwksUri,
              timeout: entry.jwksTimeout,
              cooldown: entry.jwksCooldown,
              onError: (message: string) => this.logger.error(`oauth2: assertion keys of ${entry.issuer}: ${message}`)
            }
          : undefined;
        return [entry.issuer, this.verifier(entry.issuer, { keys, jwks, algorithms: entry.algorithms })];
      })
    );
  }

  private verifier(issuer: string, rules: Pick<JwtRules, 'keys' | 'jwks' | 'algorithms'>): JwtVerifier {
    return new JwtVerifier({
      ...rules,
      issuer,
      audience: this.audiences,
      leeway: this.settings.assertions.leeway,
      typ: '',
      noun: 'assertion'
    });
  }

  /**
   * An app's own keys: its jwksUri is fetched under `clientUrls`, and a failed fetch is the client's doing, a warning.
   */
  private clientVerifier(clientId: string, keys: KeyEntry[], jwksUri: string | undefined): JwtVerifier {
    const rules = this.settings.clientUrls;
    return this.verifier(clientId, {
      // FAPI 2.0 Security Profile §5.4.1: client assertions and request objects in PS256, ES256 or EdDSA only.
      ...(isFapi2(this.settings) ? { algorithms: [...FAPI2_ALGORITHMS] } : {}),
      keys,
      jwks: jwksUri
        ? {
            uri: jwksUri,
            timeout: rules.timeout,
            cooldown: rules.jwksCooldown,
            fetch: (url, _timeoutMs, maxBytes) => fetchClientUrl(url, rules, maxBytes),
            onError: (message) => this.logger.warn(`oauth2: keys of client ${clientId}: ${message}`)
          }
        : undefined
    });
  }

  /** The verifier of an issuer trusted in settings. */
  forIssuer(issuer: string): JwtVerifier | undefined {
    return this.issuers.get(issuer);
  }

  /** Whether a client may present the assertions of an issuer trusted in settings (its `clients` list, if any). */
  mayPresent(issuer: string, clientId: string): boolean {
    const clients = this.settings.jwtBearer.issuers.find((entry) => entry.issuer === issuer)?.clients;
    return !clients || clients.includes(clientId);
  }

  /**
   * The verifier of a client's own assertions (iss = its client_id).
   * @returns undefined when the app registered no keys.
   * @throws JwtRejected when what it registered is unusable (the detail says why).
   */
  forClient(client: Client): JwtVerifier | undefined {
    const jwks = typeof client.app.jwks === 'string' && client.app.jwks.trim() ? client.app.jwks : undefined;
    const jwksUri =
      typeof client.app.jwksUri === 'string' && client.app.jwksUri.trim() ? client.app.jwksUri.trim() : undefined;
    if (!jwks && !jwksUri) return undefined;
    const fingerprint = createHash('sha256')
      .update(`${jwksUri ?? ''}\n${jwks ?? ''}`)
      .digest('base64url');
    const cached = this.apps.get(client.id);
    if (cached?.fingerprint === fingerprint) return cached.verifier;
    const problem = jwksUri && clientUrlProblem(jwksUri, this.settings.clientUrls);
    if (problem)
      throw new JwtRejected("The client's registered keys are unusable", `app ${client.id}: jwksUri ${problem}`);
    let verifier: JwtVerifier;
    try {
      verifier = this.clientVerifier(client.id, jwks ? keysFromJwkSet(jwks) : [], jwksUri);
    } catch (err) {
      throw new JwtRejected("The client's registered keys are unusable", `app ${client.id}: ${(err as Error).message}`);
    }
    if (this.apps.size >= MAX_CACHED_APPS) this.apps.delete(this.apps.keys().next().value!);
    this.apps.set(client.id, { fingerprint, verifier });
    return verifier;
  }
}
