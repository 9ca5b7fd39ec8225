import { type Settings, SettingsError } from '../settings';
import { DPOP_ALGORITHMS } from '../dpop/dpop-proof';

/** FAPI 2.0 Security Profile §5.3.2.1: a JWT or proof issued further ahead than this is refused, seconds. */
export const FAPI2_MAX_FUTURE_S = 60;

/** FAPI 2.0 Security Profile §5.4.1: the only JWS algorithms it allows (client assertions, request objects, proofs). */
export const FAPI2_ALGORITHMS = ['PS256', 'ES256', 'EdDSA'] as const;

/** Whether the gateway runs the FAPI 2.0 Security Profile (`profile: fapi2`). */
export const isFapi2 = (settings: Pick<Settings, 'profile'>): boolean => settings.profile === 'fapi2';

/** The DPoP proof algorithms taken (RFC 9449 §5.1), FAPI 2.0's alone under its profile. */
export const dpopAlgorithms = (settings: Pick<Settings, 'profile'>): readonly string[] =>
  isFapi2(settings) ? FAPI2_ALGORITHMS : DPOP_ALGORITHMS;

/** A setting the operator wrote, read from the raw settings (before defaults). */
function written(raw: Record<string, unknown>, section: string, key: string): unknown {
  const part = raw[section];
  return part && typeof part === 'object' ? (part as Record<string, unknown>)[key] : undefined;
}

function refuse(requirement: string, fix: string): never {
  throw new SettingsError(`plugins.oauth2.profile fapi2: ${requirement} (FAPI 2.0 Security Profile); ${fix}`);
}

/**
 * `profile: fapi2` turns the FAPI 2.0 Security Profile's requirements on the authorization server (§5.3.2) into
 * settings: what it leaves to defaults is set (pushed requests required, no refresh token rotation), and a setting
 * the operator wrote against it stops the gateway, naming the requirement it breaks. The rules settings cannot say
 * (confidential clients with private_key_jwt, sender-constrained tokens, the issuer as the assertion audience, the
 * algorithms) are read from `profile` where they apply.
 * @throws SettingsError naming the requirement and the setting.
 */
export function applyFapi2Profile(raw: Record<string, unknown>, resolved: Settings): void {
  if (!isFapi2(resolved)) return;
  for (const grant of ['implicit', 'password'] as const) {
    if (resolved.grants.includes(grant))
      refuse(
        grant === 'implicit'
          ? 'only the code flow is allowed (§5.3.2.2)'
          : 'the password grant is not allowed (§5.3.2.1)',
        `remove ${grant} from plugins.oauth2.grants`
      );
  }
  if (written(raw, 'par', 'required') === false)
    refuse('every authorization request must be pushed (§5.3.2.2)', 'remove plugins.oauth2.par.required: false');
  resolved.par.required = true;
  if (resolved.pkce.require !== 'required' || resolved.pkce.allowPlain)
    refuse(
      'PKCE with S256 is required of every client (§5.3.2.2)',
      'set pkce.require: required and pkce.allowPlain: false'
    );
  if (resolved.authorizationCode.ttl > 60)
    refuse('authorization codes live at most 60 seconds (§5.3.2.1)', 'set authorizationCode.ttl to 60 or less');
  if (written(raw, 'refreshToken', 'rotate') === true)
    refuse('refresh tokens are not rotated (§5.3.2.1)', 'remove plugins.oauth2.refreshToken.rotate: true');
  resolved.refreshToken.rotate = false;
  if (resolved.oidc.enabled)
    refuse('ID tokens would be signed RS256, which is not allowed (§5.4.1)', 'set oidc.enabled: false');
  const signing = resolved.keys[0]?.alg;
  if (resolved.accessToken.format === 'jwt' && !(FAPI2_ALGORITHMS as readonly string[]).includes(signing ?? ''))
    refuse(
      `JWT access tokens would be signed ${signing}; only PS256, ES256 or EdDSA are allowed (§5.4.1)`,
      'make the first of plugins.oauth2.keys one of those'
    );
  if (resolved.assertions.leeway > FAPI2_MAX_FUTURE_S)
    refuse(
      `times more than ${FAPI2_MAX_FUTURE_S} seconds ahead are refused (§5.3.2.1)`,
      `set assertions.leeway to ${FAPI2_MAX_FUTURE_S} or less`
    );
  if (resolved.clientRegistration.enabled)
    refuse(
      'clients authenticate with private_key_jwt or mutual TLS only (§5.3.2.1), and apps registered on the pages get a secret',
      'set clientRegistration.enabled: false'
    );
}
