import { expect } from 'chai';
import { basic, postForm, request } from '../../support/http';
import { ecKeyPair } from '../helpers/keys';
import { startWorld, World } from '../helpers/world';

/**
 * Issue 8: every instance keeps the tokens it validated in memory, so a
 * repeated token costs no Redis round trip. What another instance changes
 * must still apply at once: revocations and consumer changes are announced
 * over Redis pub/sub. Only meaningful with instances sharing a real Redis.
 */
for (const format of ['opaque', 'jwt'] as const) {
  describe(`oauth2 policy: ${format} tokens kept in one instance's memory follow changes made on another`, function () {
    let first: World;
    let second: World;
    before(async function () {
      if (!process.env.REDIS_URL) return this.skip();
      const namespace = `C${Math.random().toString(36).slice(2, 8)}`;
      const settings = {
        session: { secret: 'a session secret both instances share, 32+ chars' },
        issuer: 'https://gateway.example',
        accessToken: { format },
        keys: [{ kid: 'shared', alg: 'ES256', key: ecKeyPair().privatePem }]
      };
      first = await startWorld({ namespace, settings });
      second = await startWorld({
        namespace,
        settings: { ...settings, keys: [{ ...settings.keys[0] }] },
        seed: { username: 'bob', appName: 'second-app' }
      });
    });
    after(async function () {
      await first?.stop();
      await second?.stop();
    });

    const callSecond = (token: string) =>
      request(`${second.gateway.url}/api`, { headers: { Authorization: `Bearer ${token}` } });

    async function statusWithin(token: string, wanted: number, ms: number): Promise<number> {
      const started = Date.now();
      while (Date.now() - started < ms) {
        if ((await callSecond(token)).status === wanted) return Date.now() - started;
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      throw new Error(`the second instance did not answer ${wanted} within ${ms} ms`);
    }

    async function tokenInUse(): Promise<string> {
      const token = (await first.token({ grant_type: 'client_credentials' })).json.access_token as string;
      for (let i = 0; i < 3; i++) expect((await callSecond(token)).status).to.equal(200);
      return token;
    }

    it('refuses a token on the second instance within a second of its revocation on the first', async function () {
      const token = await tokenInUse();
      const revoked = await postForm(
        `${first.gateway.url}/oauth2/revoke`,
        { token },
        { Authorization: basic(first.app.id, first.app.secret) }
      );
      expect(revoked.status).to.equal(200);
      expect(await statusWithin(token, 401, 1000)).to.be.below(1000);
    });

    it("refuses a token on the second instance within a second of its app being deactivated through the first's admin API", async function () {
      const token = await tokenInUse();
      await first.gateway.admin.setAppActive(first.app.id, false);
      try {
        expect(await statusWithin(token, 401, 1000)).to.be.below(1000);
      } finally {
        await first.gateway.admin.setAppActive(first.app.id, true);
      }
      expect(await statusWithin(token, 200, 1000)).to.be.below(1000);
    });

    it("refuses a token on the second instance within a second of its app's owner being deactivated on the first", async function () {
      const token = await tokenInUse();
      // EG cascades a user's deactivation to the apps the user owns.
      await first.gateway.admin.setUserActive(first.developer.id, false);
      try {
        expect(await statusWithin(token, 401, 1000)).to.be.below(1000);
      } finally {
        await first.gateway.admin.setUserActive(first.developer.id, true);
        await first.gateway.admin.setAppActive(first.app.id, true);
      }
    });
  });
}
