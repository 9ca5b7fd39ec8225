import { InsufficientScope, InvalidToken } from '../errors';
import type { InitialAccessTokens } from '../store/initial-access-token.store';
import type { LocalTokenValidator } from '../tokens/local-token.validator';

/** Who a registration is made for, and with what. */
export interface InitialAccess {
  /** The EG user who will own the new app: every EG app has one. */
  ownerId: string;
  /** An admin-issued token, whose use must be spent; otherwise an access token of this server. */
  adminIssued: boolean;
  token: string;
}

/**
 * RFC 7591 §3: the registration endpoint is protected by an initial access
 * token, either issued by an admin for one owner (InitialAccessTokens), or
 * an access token of this server holding the registration scope. The owner
 * is then the token's user or, for a token a client got for itself
 * (client_credentials), that client's owner.
 */
export class InitialAccessCheck {
  constructor(
    private readonly adminTokens: InitialAccessTokens,
    private readonly validator: LocalTokenValidator,
    private readonly scope: string
  ) {}

  /** @throws InvalidToken, or InsufficientScope for a valid token without the scope */
  async check(token: string): Promise<InitialAccess> {
    const adminOwner = await this.adminTokens.ownerOf(token);
    if (adminOwner) return { ownerId: adminOwner, adminIssued: true, token };
    const validated = await this.validator.validate(token);
    // Its bearer form would be taken without the proof RFC 9449 §7.2 asks of it, or the certificate RFC 8705 §3 does.
    if (validated.jkt) throw new InvalidToken('A DPoP-bound access token cannot be an initial access token');
    if (validated.x5t) throw new InvalidToken('A certificate-bound access token cannot be an initial access token');
    if (!validated.scopes.includes(this.scope)) {
      throw new InsufficientScope(`Registering a client needs the "${this.scope}" scope`, this.scope);
    }
    const ownerId = validated.userId || validated.consumer.userId;
    if (!ownerId) throw new InvalidToken('The access token names no user to own the client');
    return { ownerId, adminIssued: false, token };
  }
}
