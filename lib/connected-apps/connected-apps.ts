import { registrantOf, type Registrant } from '../clients/registrant';
import type { EgLogger, EgServices } from '../eg/types';
import type { BackchannelLogout } from '../oidc/backchannel-logout';
import { CLAIM_CONSENT } from '../oidc/claims-request';
import { OPENID } from '../oidc/oidc-scopes';
import type { AccessRevocations } from './access-revocations';
import { splitScopes } from '../scopes';
import type { ConsentStore, RememberedConsent } from '../store/consent.store';
import type { GrantFacts, GrantFactsReader } from '../store/grant-facts';
import type { TokenStore } from '../store/token.store';

/** An app a user gave access to: what it holds of them, by its live grants and remembered consent. */
export interface ConnectedApp {
  appId: string;
  /** Undefined for an app deleted since, whose grants may outlive it. */
  name: string | undefined;
  registrant: Registrant | undefined;
  /** The scopes of its grants and of the consent remembered for it. */
  scopes: string[];
  /** Claims asked for beyond those of the scopes, by the claims parameter (OpenID Connect Core §5.5). */
  claims: string[];
  grants: number;
  /** Whether it may have new tokens without asking the user again. */
  remembered: boolean;
  /** When its oldest live grant was given, and when it last got a token (epoch seconds); undefined with no grant. */
  grantedAt: number | undefined;
  lastUsedAt: number | undefined;
}

/** The most grants of one user the "Connected apps" page reads. */
const MOST_SHOWN = 500;

/** What the admin API shows of one user. */
export interface UserGrants {
  grants: GrantFacts[];
  consents: RememberedConsent[];
}

/**
 * The apps a user has given access to, and taking that access back (issue
 * 20, item 10): every grant of the app from the user is revoked on every
 * instance (the revocation feed), the consent remembered for it is
 * forgotten, so that the app must ask again, and with OpenID Connect on the
 * app is told by back-channel logout that every session of the user there
 * ends. The user's grants are walked through their index.
 */
export class ConnectedApps {
  constructor(
    private readonly store: TokenStore,
    private readonly facts: GrantFactsReader,
    private readonly consents: ConsentStore,
    private readonly revocations: AccessRevocations,
    private readonly services: EgServices,
    private readonly backchannel: BackchannelLogout | null,
    private readonly logger: EgLogger
  ) {}

  async grantsOf(userId: string): Promise<UserGrants> {
    const [grants, consents] = await Promise.all([
      this.store.liveGrants('user', userId).then((ids) => this.facts.read(ids)),
      this.consents.ofUser(userId)
    ]);
    return { grants, consents };
  }

  /**
   * The user's connected apps, the one used last first, from their MOST_SHOWN newest grants: `partial` when they have
   * more (each read costs Redis a round trip, and a page view must not cost what thousands of grants would).
   */
  async of(userId: string): Promise<{ apps: ConnectedApp[]; partial: boolean }> {
    const [ids, consents] = await Promise.all([
      this.store.liveGrants('user', userId, MOST_SHOWN + 1),
      this.consents.ofUser(userId)
    ]);
    const grants = await this.facts.read(ids.slice(0, MOST_SHOWN));
    const appIds = [...new Set([...grants.map((grant) => grant.appId), ...consents.map((consent) => consent.appId)])];
    const apps = await Promise.all(
      appIds.map((appId) =>
        this.describe(
          appId,
          grants.filter((grant) => grant.appId === appId),
          consents
        )
      )
    );
    apps.sort((a, b) => (b.lastUsedAt ?? 0) - (a.lastUsedAt ?? 0) || (a.name ?? '').localeCompare(b.name ?? ''));
    return { apps, partial: ids.length > MOST_SHOWN };
  }

  private async describe(appId: string, grants: GrantFacts[], consents: RememberedConsent[]): Promise<ConnectedApp> {
    const app = await this.services.application.get(appId);
    const consent = consents.find((one) => one.appId === appId);
    const consented = consent?.scopes ?? [];
    const scopes = new Set([
      ...grants.flatMap((grant) => splitScopes(grant.scope)),
      ...consented.filter((entry) => !entry.startsWith(CLAIM_CONSENT))
    ]);
    const claims = new Set([
      ...grants.flatMap((grant) => [...(grant.userinfoClaims ?? []), ...(grant.idTokenClaims ?? [])]),
      ...consented.filter((entry) => entry.startsWith(CLAIM_CONSENT)).map((entry) => entry.slice(CLAIM_CONSENT.length))
    ]);
    return {
      appId,
      name: app ? app.name : undefined,
      registrant: app ? await registrantOf(this.services, app) : undefined,
      scopes: [...scopes].sort(),
      claims: [...claims].sort(),
      grants: grants.length,
      remembered: consent !== undefined,
      grantedAt: grants.reduce<number | undefined>(
        (first, grant) => Math.min(first ?? Infinity, grant.grantedAt),
        undefined
      ),
      lastUsedAt: grants.reduce<number | undefined>((last, grant) => Math.max(last ?? 0, grant.lastUsedAt), undefined)
    };
  }

  /**
   * Takes the app's access to the user away: its grants from the user, its remembered consent, and, when it registered
   * for back-channel logout, the user's sessions there.
   * @returns how many grants were revoked, and the app's name (undefined for an app deleted since); null when the app
   *   holds neither grant nor consent of the user.
   */
  async revoke(userId: string, appId: string): Promise<{ grants: number; name: string | undefined } | null> {
    // Marked first, so that a code or device code authorized before, whose grant is not in the index yet, is refused
    // (an app deleted since can exchange nothing; an id that names no app leaves no key behind).
    const app = await this.services.application.get(appId);
    if (app) await this.revocations.mark(userId, appId);
    const { grants, consents } = await this.grantsOf(userId);
    const ofApp = grants.filter((grant) => grant.appId === appId);
    const consent = consents.find((one) => one.appId === appId);
    if (ofApp.length === 0 && !consent) return null;
    await Promise.all([
      this.store.revokeGrants(ofApp.map((grant) => grant.grantId)),
      this.consents.forget(userId, appId)
    ]);
    // Only an app the user signed in to (an openid grant or consent) may hold a session of theirs to end.
    const signedIn = [...ofApp.map((grant) => grant.scope), consent?.scopes.join(' ') ?? ''];
    if (signedIn.some((scope) => splitScopes(scope).includes(OPENID))) this.backchannel?.accessRevoked(appId, userId);
    this.logger.info(`oauth2: user ${userId} revoked the access of app ${appId} (${ofApp.length} grant(s))`);
    return { grants: ofApp.length, name: app ? app.name : undefined };
  }
}
