import { TOKEN_EXCHANGE } from '../../schemas/settings.schema';
import type { EgApplication } from '../eg/types';
import { InvalidGrant, InvalidToken } from '../errors';
import { digest } from '../secret-value';
import type { Settings } from '../settings';
import { SingleFlight } from '../single-flight';
import type { TokenIssuer } from '../tokens/token.issuer';
import type { ValidatedToken } from '../tokens/validated-token';
import type { PolicyParams } from '../../schemas/policy.schema';

/** How many exchanged tokens an instance keeps; past it the oldest go. */
const MAX_KEPT = 10000;
/** An exchanged token is not sent on in its last seconds: the upstream must still find it alive. */
const MARGIN_MS = 5000;

/** @throws TypeError at pipeline load: the gateway exchanges only its own tokens, which it may mint more of. */
export function requireOwnTokens(params: PolicyParams): void {
  if (params.exchange && (params.server !== undefined || params.tokenStrategy !== 'local'))
    throw new TypeError("oauth2 policy: exchange needs this plugin's own tokens (tokenStrategy local, no server)");
}

/**
 * The tokens the policy's `exchange` sends upstream instead of the caller's (RFC 8693 as the gateway's own act): for
 * the same user, client and scopes, meant for the upstream's audience alone, joined to the caller's grant (revoking
 * it revokes them), living no longer than the caller's token. One is minted per token and audience and kept in
 * memory until it expires, so a token calling again costs nothing.
 */
export class UpstreamTokens {
  private readonly kept = new Map<string, { token: string; until: number }>();
  private readonly flights = new SingleFlight<string>();

  constructor(
    private readonly issuer: TokenIssuer,
    private readonly settings: Settings
  ) {}

  private key(token: string, audience: string): string {
    return `${audience}\n${digest(token)}`;
  }

  /** The token kept for this one and audience, if still good. Synchronous: the policy's hot path. */
  recall(token: string, audience: string): string | null {
    const key = this.key(token, audience);
    const entry = this.kept.get(key);
    if (!entry) return null;
    this.kept.delete(key);
    if (entry.until <= Date.now()) return null;
    // Last used, last to go: the oldest-used entries make room.
    this.kept.set(key, entry);
    return entry.token;
  }

  /**
   * The token to send upstream in place of `token`, validated as `validated`.
   * @throws InvalidToken when the caller's grant was revoked meanwhile.
   */
  exchange(token: string, validated: ValidatedToken, audience: string): Promise<string> {
    const recalled = this.recall(token, audience);
    if (recalled) return Promise.resolve(recalled);
    const key = this.key(token, audience);
    return this.flights.run(key, async () => {
      let issued;
      try {
        issued = await this.issuer.issue({
          grantType: TOKEN_EXCHANGE,
          grantId: validated.grantId,
          joinsGrant: true,
          expiresBy: validated.expiresAt,
          // The caller's app as the validation read it (its id and properties: a pairwise app's tokens stay sealed).
          app: { ...validated.consumer, id: validated.clientId } as unknown as EgApplication,
          user: validated.userId ? { id: validated.userId, username: validated.username } : null,
          scopes: validated.scopes,
          resources: [audience],
          // RFC 8693 §4.1: the gateway acts for the caller, after whoever acted for it before.
          act: { sub: this.settings.issuer, ...(validated.act ? { act: validated.act } : {}) },
          refresh: null
        });
      } catch (err) {
        if (err instanceof InvalidGrant) throw new InvalidToken('The access token is invalid, expired or revoked');
        throw err;
      }
      const until = Date.now() + issued.params.expires_in * 1000 - MARGIN_MS;
      if (until > Date.now()) {
        if (this.kept.size >= MAX_KEPT) this.kept.delete(this.kept.keys().next().value!);
        this.kept.set(key, { token: issued.accessToken, until });
      }
      return issued.accessToken;
    });
  }
}
