// JWT bearer grant (RFC 7523 §2.1): a trusted issuer vouches for a user with a signed JWT, and the app
// exchanges it for an access token without the user's password. The demo trusts an issuer whose private key
// npm start generated (demo.json names the file); a real issuer would sign the JWT and hand it to the app.
// Run with: node examples/jwt-bearer.mjs   (after npm start)
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import { SignJWT, importPKCS8 } from 'jose';
import { api, call, check, demo, discover, short } from './lib/demo.mjs';

const { issuer, token_endpoint } = await discover();

// The issuer's side: a short-lived JWT naming the user (sub), the gateway (aud) and itself (iss).
const { jwtIssuer } = demo;
const key = await importPKCS8(fs.readFileSync(jwtIssuer.privateKeyFile, 'utf8'), jwtIssuer.alg);
const assertion = await new SignJWT({})
  .setProtectedHeader({ alg: jwtIssuer.alg, kid: jwtIssuer.kid, typ: 'JWT' })
  .setIssuer(jwtIssuer.issuer)
  .setSubject(demo.user.username)
  .setAudience(issuer)
  .setJti(randomUUID()) // single use: the gateway remembers it until it expires
  .setIssuedAt()
  .setExpirationTime('5m')
  .sign(key);
console.log(
  `\nSigned an assertion as ${jwtIssuer.issuer} (${jwtIssuer.alg}, kid ${jwtIssuer.kid}): ${short(assertion)}`
);
console.log(`    claims: ${JSON.stringify(JSON.parse(Buffer.from(assertion.split('.')[1], 'base64url')))}`);

// The app's side: it authenticates itself as usual, and presents the assertion as the grant.
const grant = { grant_type: 'urn:ietf:params:oauth:grant-type:jwt-bearer', assertion, scope: 'read' };
const token = await call('POST', token_endpoint, { auth: demo.client, form: grant });
check(token.status === 200 && token.json.scope === 'read', 'the assertion is exchanged for an access token');
check(token.json.refresh_token === undefined, 'and no refresh token: the issuer can assert again (RFC 7523 §2.1)');

const res = await call('GET', api('/api'), { bearer: token.json.access_token });
check(
  res.status === 200 && res.json.headers['eg-token-authenticated-user-id'],
  `the protected API accepts it, on behalf of ${demo.user.username}`
);

const replay = await call('POST', token_endpoint, { auth: demo.client, form: grant });
check(
  replay.status === 400 && replay.json.error === 'invalid_grant',
  'the same assertion twice is refused (its jti is single use)'
);
