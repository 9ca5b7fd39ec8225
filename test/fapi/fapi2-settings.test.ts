import { expect } from 'chai';
import { resolveSettings, SettingsError } from '../../lib/settings';
import { oncePerRun } from '../helpers/once-per-run';

const SYSTEM = { db: { redis: { emulate: true } } } as never;
const GATEWAY = { http: { port: 8080 } };
const FAPI_GRANTS = ['authorization_code', 'client_credentials', 'refresh_token'];

/** The settings with `profile: fapi2` (and the code grants FAPI 2.0 allows), over `extra`. */
const resolved = (extra: Record<string, unknown> = {}) =>
  resolveSettings({ profile: 'fapi2', grants: FAPI_GRANTS, ...extra }, SYSTEM, GATEWAY);

function refusal(extra: Record<string, unknown>): string {
  try {
    resolved(extra);
  } catch (err) {
    expect(err).to.be.instanceOf(SettingsError);
    return (err as Error).message;
  }
  throw new Error('the settings were taken');
}

/** Issue 22 item 5: a setting against the FAPI 2.0 Security Profile stops the gateway, naming the requirement. */
describe('FAPI 2.0 profile settings (profile: fapi2)', function () {
  before(function () {
    oncePerRun(this);
  });

  it('requires pushed requests and turns refresh token rotation off by itself', function () {
    const settings = resolved();
    expect(settings.par.required).to.equal(true);
    expect(settings.refreshToken.rotate).to.equal(false);
    expect(resolveSettings({}, SYSTEM, GATEWAY).refreshToken.rotate).to.equal(true);
  });

  it('stops at a setting against it, naming the requirement and the fix', function () {
    const cases: Array<[Record<string, unknown>, RegExp]> = [
      [{ grants: [...FAPI_GRANTS, 'implicit'] }, /only the code flow is allowed.*remove implicit/],
      [{ grants: [...FAPI_GRANTS, 'password'] }, /password grant is not allowed.*remove password/],
      [{ par: { required: false } }, /every authorization request must be pushed/],
      [{ pkce: { require: 'public-clients' } }, /PKCE with S256 is required/],
      [{ pkce: { allowPlain: true } }, /PKCE with S256 is required/],
      [{ authorizationCode: { ttl: 120 } }, /at most 60 seconds.*authorizationCode\.ttl/],
      [{ refreshToken: { rotate: true } }, /refresh tokens are not rotated/],
      [{ clientRegistration: { enabled: true } }, /private_key_jwt.*clientRegistration\.enabled: false/],
      [{ oidc: { enabled: true } }, /RS256.*oidc\.enabled: false/],
      [
        { accessToken: { format: 'jwt' }, keys: [{ kid: 'k', alg: 'HS256', key: 'x'.repeat(32) }] },
        /JWT access tokens would be signed HS256/
      ],
      [{ assertions: { leeway: 61 } }, /more than 60 seconds ahead.*assertions\.leeway/]
    ];
    for (const [extra, message] of cases) {
      const said = refusal(extra);
      expect(said, JSON.stringify(extra)).to.match(/^plugins\.oauth2\.profile fapi2: /);
      expect(said, JSON.stringify(extra)).to.match(message);
    }
  });

  it('refuses a profile it does not know, naming the ones it does', function () {
    expect(() => resolveSettings({ profile: 'fapi1' }, SYSTEM, GATEWAY)).to.throw(SettingsError, /profile/);
  });
});
