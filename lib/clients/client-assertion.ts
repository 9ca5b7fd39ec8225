import { DocumentClientFailure, type DocumentClients } from '../client-documents/document-clients';
import { InvalidClient } from '../errors';
import type { EgServices } from '../eg/types';
import { JwtKeysUnavailable, JwtRejected } from '../keys/jwt-verifier';
import type { Settings } from '../settings';
import type { ReplayGuard } from '../store/replay.guard';
import type { JwtAssertionTrust } from '../assertions/jwt-assertion-trust';
import { unverifiedIssuer, verifyJwtAssertion } from '../assertions/jwt-assertion';
import type { Client } from './client';
import { findClient } from './client.repository';

/** RFC 7523 §2.2: the one client assertion type this server understands. */
export const CLIENT_ASSERTION_TYPE = 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer';

/** The form fields of a client assertion (RFC 7521 §4.2). */
export interface ClientAssertionFields {
  client_id?: unknown;
  client_assertion_type?: unknown;
  client_assertion?: unknown;
}

/**
 * private_key_jwt (RFC 7523 §2.2 and §3): a confidential client proves
 * itself with a JWT it signed with a key it registered (app property `jwks`
 * or `jwksUri`), with `iss` and `sub` its client_id, this server as `aud`,
 * a short life and a `jti` used once. Every failure is invalid_client
 * (RFC 7521 §4.2.1), with the failed check in the description; so is a
 * jwksUri that cannot be fetched (the log says why).
 */
export class ClientAssertions {
  constructor(
    private readonly services: EgServices,
    private readonly trust: JwtAssertionTrust,
    private readonly limits: Settings['assertions'],
    private readonly replays: ReplayGuard,
    private readonly documents: DocumentClients,
    /** With profile fapi2: the one audience a client assertion may name. */
    private readonly exactAudience?: string | undefined
  ) {}

  /** @param ip the requester's address, for a client_id URL met for the first time (DocumentClients.ensure) */
  async authenticate(fields: ClientAssertionFields, ip: string): Promise<Client> {
    try {
      if (fields.client_assertion_type !== CLIENT_ASSERTION_TYPE) {
        throw new JwtRejected(`client_assertion_type must be ${CLIENT_ASSERTION_TYPE}`);
      }
      const clientId = unverifiedIssuer(fields.client_assertion);
      if (fields.client_id !== undefined && fields.client_id !== clientId) {
        throw new JwtRejected("The assertion's iss is not the client_id");
      }
      await this.documents.ensure(clientId, 'authenticate', ip);
      const client = await findClient(this.services, clientId, 'private_key_jwt');
      if (!client || client.isPublic) throw new JwtRejected('The client is unknown or cannot authenticate');
      const verifier = this.trust.forClient(client);
      if (!verifier) throw new JwtRejected('The client has registered no keys');
      const verified = await verifyJwtAssertion(verifier, fields.client_assertion as string, this.limits, this.replays);
      if (verified.sub !== client.id) throw new JwtRejected("The assertion's sub must be the client_id");
      // FAPI 2.0 Security Profile §5.3.2.1: the issuer identifier alone, as a string, is the audience.
      if (this.exactAudience !== undefined && verified.claims.aud !== this.exactAudience)
        throw new JwtRejected("The assertion's aud must be the issuer identifier alone, as a string (FAPI 2.0)");
      return client;
    } catch (err) {
      if (err instanceof DocumentClientFailure) throw new InvalidClient(`Client authentication failed: ${err.message}`);
      if (err instanceof JwtRejected)
        throw new InvalidClient(`Client authentication failed: ${err.reason}`, err.detail);
      // The keys are the client's to publish (and a jwksUri it points inward is refused): its failure, not ours.
      if (err instanceof JwtKeysUnavailable)
        throw new InvalidClient(
          "Client authentication failed: the client's registered keys could not be fetched",
          err.message
        );
      throw err;
    }
  }
}
