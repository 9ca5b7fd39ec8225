import { expect } from 'chai';
import { request } from '../../support/http';
import { startWorld, World } from '../helpers/world';

/** The oauth2-scopes condition lets a pipeline branch on the scopes of the validated token. */
describe('condition: oauth2-scopes', function () {
  let world: World;
  before(async function () {
    const branch = (scopes: string[] | string, match: string, statusCode: number) => ({
      condition: { name: 'oauth2-scopes', scopes, match },
      action: { statusCode, message: `${statusCode}` }
    });
    world = await startWorld({
      gateway: {
        apiEndpoints: { api: { host: '*', paths: ['/api'] } },
        serviceEndpoints: {},
        policies: ['oauth2', 'terminate'],
        pipelines: {
          branching: {
            apiEndpoints: ['api'],
            policies: [
              { oauth2: [{ action: { passThrough: true } }] },
              {
                terminate: [
                  branch(['read', 'write'], 'all', 201),
                  branch('write', 'any', 202),
                  branch(['read', 'admin'], 'any', 203),
                  { action: { statusCode: 204 } }
                ]
              }
            ]
          }
        }
      }
    });
  });
  after(async function () {
    await world?.stop();
  });

  const statusWith = async (scope?: string) => {
    const headers: Record<string, string> = {};
    if (scope !== undefined)
      headers.Authorization = `Bearer ${(await world.token({ grant_type: 'client_credentials', scope })).json.access_token}`;
    return (await request(`${world.gateway.url}/api`, { headers })).status;
  };

  it('is true when the token holds every listed scope (match: all)', async function () {
    expect(await statusWith('read write')).to.equal(201);
  });

  it('is true when the token holds one listed scope (match: any), and false otherwise', async function () {
    expect(await statusWith('write')).to.equal(202);
    expect(await statusWith('read')).to.equal(203);
  });

  it('is false without a validated token', async function () {
    expect(await statusWith()).to.equal(204);
  });
});
