import { expect } from 'chai';
import type { Redis } from 'ioredis';
import { ConsentStore } from '../../lib/store/consent.store';

const RedisMock = require('ioredis-mock');

/** Remembered consents, and the index of them per user that the "Connected apps" page reads. */
describe('consent store', function () {
  let db: Redis;
  let consents: ConsentStore;
  beforeEach(function () {
    db = new RedisMock();
    consents = new ConsentStore(db, 'P:', 3600);
  });

  it('lists the consents a user gave, and forgets one', async function () {
    await consents.remember('u', 'app-1', ['read']);
    await consents.remember('u', 'app-2', []);
    expect(await consents.ofUser('u')).to.deep.equal([
      { appId: 'app-1', scopes: ['read'] },
      { appId: 'app-2', scopes: [] }
    ]);
    await consents.forget('u', 'app-1');
    expect(await consents.covers('u', 'app-1', ['read'])).to.equal(false);
    expect(await consents.ofUser('u')).to.deep.equal([{ appId: 'app-2', scopes: [] }]);
  });

  it('names in the index a consent an earlier version remembered, once it is used', async function () {
    await db.sadd('P:consent:u:old-app', 'read');
    expect(await consents.ofUser('u')).to.deep.equal([]);
    expect(await consents.covers('u', 'old-app', ['read'])).to.equal(true);
    expect(await consents.ofUser('u')).to.deep.equal([{ appId: 'old-app', scopes: ['read'] }]);
  });
});
