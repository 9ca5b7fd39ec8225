import { expect } from 'chai';
import { oauth2Policy } from '../../policies/oauth2';
import { startGateway } from '../../support/gateway';
import { request } from '../../support/http';
import { startWorld, World } from '../helpers/world';
import { oidcSettings } from '../oidc/oidc-world';
import { oncePerRun } from '../helpers/once-per-run';

describe('loading the plugin into Express Gateway', function () {
  describe('with valid settings', function () {
    let world: World;
    before(async function () {
      world = await startWorld();
    });
    after(async function () {
      await world?.stop();
    });

    it("serves the oauth2 policy from this plugin, not EG's built-in one", async function () {
      const res = await request(`${world.gateway.url}/api`);
      expect(res.status).to.equal(401);
      // EG's built-in policy answers a bare "Unauthorized" without a Bearer challenge.
      expect(res.headers.get('www-authenticate')).to.equal(
        `Bearer realm="express-gateway", resource_metadata="${world.gateway.url}/.well-known/oauth-protected-resource/api", ` +
          'DPoP realm="express-gateway", algs="ES256 PS256 RS256 EdDSA"'
      );
      expect(res.json).to.deep.equal({ error_description: 'A bearer access token is required' });
    });

    it("does not mount EG's built-in /login and /logout routes, leaving those paths to the APIs", async function () {
      expect((await request(`${world.gateway.url}/login`)).status).to.equal(404);
      expect((await request(`${world.gateway.url}/logout`)).status).to.equal(404);
    });
  });

  it('refuses to run on a real Redis with the built-in demo session secret', async function () {
    const gateway = await startGateway({
      settings: { session: {} },
      redis: { emulate: false, host: '127.0.0.1', port: 6379, namespace: 'nosecret' },
      expectExit: true
    });
    try {
      expect(await gateway.exited).to.equal(1);
      expect(gateway.output()).to.match(/plugins\.oauth2\.session\.secret is required/);
    } finally {
      await gateway.stop();
    }
  });

  const refusals: Array<[string, Record<string, unknown>, RegExp]> = [
    ['an out-of-range number', { accessToken: { ttl: 0 } }, /plugins\.oauth2\.accessToken\.ttl must be >= 1/],
    [
      'a wrong type',
      { refreshToken: { rotate: 'sometimes' } },
      /plugins\.oauth2\.refreshToken\.rotate must be boolean/
    ],
    [
      'a grant lifetime of 0, which is not "forever"',
      { refreshToken: { maxLifetime: 0 } },
      /plugins\.oauth2\.refreshToken\.maxLifetime must be >= 1/
    ],
    [
      'an unknown key, with the key it probably meant',
      { grnats: ['password'] },
      /unknown setting plugins\.oauth2\.grnats; did you mean grants\?/
    ],
    [
      'a typo in a nested key',
      { accessToken: { tll: 600 } },
      /unknown setting plugins\.oauth2\.accessToken\.tll; did you mean ttl\?/
    ],
    [
      'an unknown grant',
      { grants: ['password', 'magic'] },
      /plugins\.oauth2\.grants\.1 must be equal to one of the allowed values \(one of: authorization_code/
    ],
    ['an issuer with a query', { issuer: 'https://as.example.com/?x=1' }, /plugins\.oauth2\.issuer must match pattern/],
    [
      'a store that is no Redis URL, Sentinel group or cluster',
      { store: { redis: 'localhost:6379' } },
      /plugins\.oauth2\.store\.redis must be a string matching \^rediss\?:\/\/.*, an object with sentinels and name or an object with cluster/
    ],
    [
      'a cluster node without a usable port',
      { store: { redis: { cluster: [{ host: '127.0.0.1', port: 70000 }] } } },
      /plugins\.oauth2\.store\.redis\.cluster\.0\.port must be <= 65535/
    ],
    [
      'OpenID Connect without an RS256 key to sign ID tokens (Core §15.1)',
      { oidc: { enabled: true }, keys: [{ kid: 'hs', alg: 'HS256', key: 'a-shared-secret-of-at-least-32-bytes!' }] },
      /plugins\.oauth2\.oidc\.enabled needs an RS256 private key in plugins\.oauth2\.keys/
    ],
    [
      'OpenID Connect without the authorization code grant',
      { oidc: { enabled: true }, grants: ['client_credentials'] },
      /plugins\.oauth2\.oidc\.enabled needs authorization_code in plugins\.oauth2\.grants/
    ],
    [
      'a pairwise subject key too short to be one (OpenID Connect Core §8.1)',
      { oidc: { enabled: true, pairwiseSecret: 'short' } },
      /plugins\.oauth2\.oidc\.pairwiseSecret must NOT have fewer than 32 characters/
    ],
    [
      'a claim mapping of a claim OpenID Connect does not define',
      { oidc: { claims: { favourite_colour: 'colour' } } },
      /plugins\.oauth2\.oidc\.claims/
    ],
    [
      'an issuer that is not ASCII (it goes into the Basic challenge header)',
      { issuer: 'https://sécurité.example' },
      /plugins\.oauth2\.issuer must match pattern/
    ]
  ];
  for (const [what, settings, message] of refusals) {
    it(`stops the gateway with a non-zero exit and names the key for ${what}`, async function () {
      oncePerRun(this);
      const gateway = await startGateway({ settings, expectExit: true });
      try {
        const code = await gateway.exited;
        expect(code).to.equal(1);
        expect(gateway.output()).to.match(message);
        expect(gateway.output()).not.to.match(/gateway http server listening/);
      } finally {
        await gateway.stop();
      }
    });
  }

  it('stops the gateway naming the parameter for a policy realm that cannot go into a header (issue 15, item 6)', async function () {
    oncePerRun(this);
    const gateway = await startGateway({
      gateway: {
        apiEndpoints: { api: { host: '*', paths: ['/api'] } },
        serviceEndpoints: { backend: { url: 'http://127.0.0.1:9' } },
        pipelines: {
          api: {
            apiEndpoints: ['api'],
            policies: [
              { oauth2: [{ action: { realm: 'API 雪' } }] },
              { proxy: [{ action: { serviceEndpoint: 'backend' } }] }
            ]
          }
        }
      },
      expectExit: true
    });
    try {
      const exited = await Promise.race([
        gateway.exited,
        new Promise((resolve) => setTimeout(() => resolve('still running'), 8000))
      ]);
      expect(exited, gateway.output()).not.to.equal('still running');
      expect(exited).not.to.equal(0);
      expect(gateway.output()).to.match(/pipelines\.api\.policies\.0\.oauth2\.0\.action\.realm must match pattern/);
    } finally {
      await gateway.stop();
    }
  });

  describe('mistakes an operator makes, each stopping the gateway at start with one line naming the setting (issue 16, item 5)', function () {
    before(function () {
      oncePerRun(this);
    });
    const EG_MODELS = require('path').join(
      require('path').dirname(require.resolve('express-gateway/package.json')),
      'lib',
      'config',
      'models'
    );
    const pipeline = (action: Record<string, unknown>) => ({
      apiEndpoints: { orders: { host: '*', paths: ['/orders'] } },
      serviceEndpoints: { backend: { url: 'http://127.0.0.1:9' } },
      pipelines: {
        orders: {
          apiEndpoints: ['orders'],
          policies: [{ oauth2: [{ action }] }, { proxy: [{ action: { serviceEndpoint: 'backend' } }] }]
        }
      }
    });

    async function stopsWith(options: Parameters<typeof startGateway>[0], message: RegExp): Promise<void> {
      const gateway = await startGateway({ ...options, expectExit: true });
      try {
        const exited = await Promise.race([
          gateway.exited,
          new Promise((resolve) => setTimeout(() => resolve('still running'), 10000))
        ]);
        expect(exited, gateway.output()).to.equal(1);
        expect(gateway.output()).to.match(message);
        expect(gateway.output().match(/cannot start: /g), 'said once').to.have.length(1);
        expect(gateway.output()).not.to.match(/\n\s+at \S+ \(/);
      } finally {
        await gateway.stop();
      }
    }

    it('client registration enabled while the app model lacks the properties it writes (every registration would be a 500)', async function () {
      await stopsWith(
        { models: EG_MODELS, settings: { clientRegistration: { enabled: true } } },
        /plugins\.oauth2\.clientRegistration\.enabled needs config\/models\/applications\.json to declare the application properties registration writes; missing: registeredVia, public, redirectUris, grantTypes, tokenEndpointAuthMethod, jwks, jwksUri/
      );
    });

    it('dynamic registration enabled while the app model lacks them', async function () {
      await stopsWith(
        { models: EG_MODELS, settings: { dynamicRegistration: { enabled: true } } },
        /plugins\.oauth2\.dynamicRegistration\.enabled needs config\/models\/applications\.json/
      );
    });

    it('dynamic registration with OpenID Connect while the app model lacks the logout and subject properties it writes', async function () {
      const fs = require('fs') as typeof import('fs');
      const path = require('path') as typeof import('path');
      const models = fs.mkdtempSync(path.join(require('os').tmpdir(), 'models-'));
      const demoModels = path.join(__dirname, '..', '..', '..', 'demo', 'config', 'models');
      for (const file of fs.readdirSync(demoModels))
        fs.copyFileSync(path.join(demoModels, file), path.join(models, file));
      const apps = JSON.parse(fs.readFileSync(path.join(models, 'applications.json'), 'utf8'));
      delete apps.properties.backchannelLogoutSessionRequired;
      delete apps.properties.userinfoSignedResponseAlg;
      delete apps.properties.subjectType;
      fs.writeFileSync(path.join(models, 'applications.json'), JSON.stringify(apps));
      try {
        await stopsWith(
          {
            models,
            settings: {
              ...oidcSettings({ oidc: { pairwiseSecret: 'a-pairwise-subject-key-of-32-characters' } }),
              dynamicRegistration: { enabled: true }
            }
          },
          /plugins\.oauth2\.dynamicRegistration\.enabled and plugins\.oauth2\.oidc\.enabled and plugins\.oauth2\.oidc\.pairwiseSecret needs config\/models\/applications\.json .*missing: backchannelLogoutSessionRequired, userinfoSignedResponseAlg, subjectType /
        );
      } finally {
        fs.rmSync(models, { recursive: true, force: true });
      }
    });

    it('no issuer on a real Redis (it would become http://localhost:<port> in tokens, metadata and device URLs)', async function () {
      await stopsWith(
        {
          settings: { issuer: undefined },
          redis: { emulate: false, host: '127.0.0.1', port: 6379, namespace: 'noissuer' }
        },
        /plugins\.oauth2\.issuer is required when the gateway runs on a real Redis/
      );
    });

    it("an unknown key in a pipeline's oauth2 parameters (passthrough: true would be ignored in silence)", async function () {
      await stopsWith(
        { gateway: pipeline({ passthrough: true }) },
        /unknown parameter pipelines\.orders\.policies\.0\.oauth2\.0\.action\.passthrough; did you mean passThrough\?/
      );
    });

    it('a jwt.keys entry that does not load, named with its pipeline instead of a stack trace', async function () {
      await stopsWith(
        {
          gateway: pipeline({
            tokenStrategy: 'jwt',
            jwt: { issuer: 'https://idp.example', audience: 'orders', keys: [{ alg: 'RS256', key: 'not a PEM key' }] }
          })
        },
        /pipelines\.orders\.policies\.0\.oauth2\.0\.action: jwt\.keys/
      );
    });

    it('refuses an unknown parameter when EG builds a pipeline on a hot reload too, where EG then keeps the pipelines it has', function () {
      // At a hot reload init does not stop the gateway: the policy itself refuses the step it is asked to build.
      const policy = oauth2Policy({} as never);
      expect(() =>
        policy.policy({ passthrough: true, tokenStrategy: 'local', getCommonAuthCallback() {} } as never)
      ).to.throw(/unknown parameter passthrough; did you mean passThrough\?/);
      expect(() =>
        policy.policy({ passThrough: true, tokenStrategy: 'local', getCommonAuthCallback() {} } as never)
      ).not.to.throw();
    });

    it("warns at start about EG's own oauth2 settings left in system.config, as the check command reports them", async function () {
      const gateway = await startGateway({
        system: { accessTokens: { timeToExpiry: 7200000 }, session: { secret: 'keyboard cat' } }
      });
      try {
        expect(gateway.output()).to.match(
          /oauth2: system\.config: accessTokens configures EG's built-in oauth2 policy, which this plugin replaces; it is unused \(plugins\.oauth2\.accessToken\.ttl applies\): remove it/
        );
        expect(gateway.output()).to.match(/oauth2: system\.config: session configures EG's built-in oauth2 policy/);
        expect(gateway.output()).not.to.match(/refreshTokens configures/);
      } finally {
        await gateway.stop();
      }
    });

    it("still starts with the emulated store's default issuer, EG's passThrough and EG's default app model when nothing needs more", async function () {
      // The emulated store whatever REDIS_URL says: the default issuer is only assumed there.
      const gateway = await startGateway({
        models: EG_MODELS,
        settings: { issuer: undefined },
        gateway: pipeline({ passThrough: true }),
        redis: { emulate: true, namespace: 'defaults' }
      });
      try {
        expect(gateway.output()).to.match(
          /express-gateway-plugin-oauth2 \d+\.\d+\.\d+ running: issuer http:\/\/localhost:\d+, store emulated/
        );
      } finally {
        await gateway.stop();
      }
    });
  });
});
