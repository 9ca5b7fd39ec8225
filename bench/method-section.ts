import { settingsSchema } from '../schemas/settings.schema';
import type { BenchConfig } from './config';
import type { Machine } from './machine';
import { CLUSTER_SHAPE } from './store-names';

/** BENCH.md's Method section: how the numbers were taken, with this run's settings. */
export function methodSection(config: BenchConfig, machine: Machine): string {
  const { clientAuth, bcrypt } = settingsSchema.properties;
  const [perClient, perIp] = [
    clientAuth.properties.maxFailuresPerClient.default,
    clientAuth.properties.maxFailuresPerIp.default
  ];
  const maxQueue = bcrypt.properties.maxQueue.default;
  const { primaries, replicasPerPrimary } = CLUSTER_SHAPE;
  const clusterLine = `
- **Redis Cluster**: EG's \`db.redis\` on the real Redis above; the plugin's \`store.redis\` on a Redis Cluster the bench
  starts (${primaries} primaries with ${replicasPerPrimary} replica each, redis-server processes on loopback ports of the same machine, their CPU
  counted among the other processes'), each primary flushed before each gateway, stopped after the store's runs.`;
  return `One process per role on 127.0.0.1: the gateway under test (a real Express Gateway child
process, one at a time), the echo backend (its own process; it answers the method and URL, not the request's headers,
so that the identity headers a policy adds do not also make the answer larger) and autocannon (in the bench process).
Each gateway is booted on an empty store, seeded through EG's admin API (a user with a basic-auth
credential, a confidential app with an oauth2 credential), measured, and stopped.

- **Load**: ${config.connections} connections; protected calls ${config.duration} s per run after ${config.warmup} unmeasured
  warm-up requests (Node.js checks each of the first 10,000 deprecated \`Buffer()\` calls of EG's request ids with a stack trace), token-endpoint runs ${config.tokenDuration} s. The set of gateways ran ${config.repeats}× on each store (the
  token-endpoint scenarios in the first ${config.tokenRepeats}), each gateway booted afresh every time. Each row is the
  **best repeat** (most requests/s) with that run's latencies; the last column shows every run, retries included.
- **CPU**: the cores the gateway process kept busy during the best run (1.00 = one core, about all
  a Node.js process can use; GC threads add a little), that time per request, and the cores other
  processes of the machine used meanwhile (from /proc: the machine's busy time less the bench's own
  processes). With the gateway at one core, requests/s is one core divided by the µs per request:
  a policy at ≥ 0.95 of (a) may add at most about 5 % to (a)'s µs per request. The machine has
  ${machine.cores} cores for the gateway, the backend and the load generator together. A protected-call run
  during which other processes used more than ${config.quietCores} cores is tried again (up to ${config.noisyRetries} extra
  attempt); every run counts for the best.
- **Requests/s** = 2xx answers ÷ the time from the start of the run to the last 2xx answer, so that
  requests cut off in flight at the end neither count nor stretch the time (bcrypt-bound requests at
  ${config.connections} connections finish in waves seconds apart). **p50/p99** are of 2xx answers, from autocannon's
  per-response times (sub-millisecond; its own histogram keeps whole milliseconds). With a few dozen
  answers per run, the p99 of a token-endpoint run is its slowest answer.
- **Protected calls**: \`GET /api/items\` through a pipeline whose API endpoint requires scope \`read\`;
  (b), (c), (e) and (g) carry a user-bound access token from the password grant of the same gateway,
  (d) an HS256 JWT (\`typ: at+jwt\`) signed by the bench for an outside issuer. Two rows are references, not
  targets: (f) is (a) plus EG's own \`headers\` policy forwarding nothing, what any second policy in a pipeline
  costs in EG before it does anything; (g) is (b) with the policy's \`identityHeaders: false\`, what the
  \`eg-token-*\` / \`eg-consumer-*\` headers cost (about 20 more header lines on every proxied request).
  (g) is held to 0.95 like the others and to 0.97 besides: without the headers, the policy's own work is all that is left.
- **DPoP** (RFC 9449): (m) is (b)'s call on (b)'s gateway, last there, with a DPoP-bound token: the password
  grant is asked for with a proof of an ES256 key the bench holds, and every call sends \`Authorization: DPoP\` with
  a proof of its own (a fresh \`jti\`, \`iat\`, \`htm\`, \`htu\` and the token's \`ath\`), signed with jose before each
  run, warm-up included, outside the measured time. Per call the gateway verifies the proof's signature and
  claims, compares its key's thumbprint with the token's \`cnf.jkt\` and writes its \`jti\` to the store (single use);
  a bound token also takes the policy's general path, not the no-I/O path of a recalled bearer token. Under each
  store's table, the gateway CPU per request of the bearer check, (b)'s less (a)'s, and of the proof check on top of
  it, (m)'s less (b)'s. A reference, not a target: a signature verified and a store write per call cannot fit within
  0.95 of (a).
- **Introspection**: \`POST /oauth2/introspect\` by the bench's client (HTTP Basic, its secret recalled after the first
  bcrypt) about its own valid user-bound token, a resource server's question; (k) on (b)'s gateway, where the answer's
  validation is cached, (l) on one with \`tokenCache.ttl: 0\`, where every request reads the store. Reported against
  (a)'s protected calls; no target.
- **Token endpoint**: the client authenticates with HTTP Basic. Credentials are hashed with EG's
  default bcrypt cost (10), as in a deployment. \`refresh_token\` runs reuse one refresh token: the
  plugin runs with \`refreshToken.rotate: false\` (EG never rotates). \`authorization_code\` runs spend a
  pool of fresh codes fetched just before the run (the plugin: one sign-in and a remembered consent,
  then one authorization request per code; EG: a sign-in, then the consent dialog and its decision
  per code), sized from the client_credentials rate of the same gateway.
- **Sign-in throttle**: the plugin gateways run with \`login.maxFailuresPerUser\` and \`maxFailuresPerIp\` raised
  to 100000. The throttle counts an attempt before the password check and takes it back after a
  success, so with the defaults (5 and 20) concurrent password grants of one user are refused
  (\`invalid_grant\`, "Too many failed attempts") even with the right password: 1 of 8 and 6 of 32
  concurrent grants were when this was found. One user on one address at ${config.connections} connections is the
  load generator, not an attacker.
- **Floods of wrong client secrets** (issue 15): (h), (i) and (j) are (b)'s call on one gateway that trusts one
  proxy hop (\`trustProxy: 1\`) and leaves \`clientAuth\` and \`bcrypt\` at their defaults: a lock after ${perClient} failures per
  client or ${perIp} per address; bcrypt on the machine's cores less one as worker threads (1 to 4), with at most ${maxQueue}
  checks waiting, then 503. (h) is measured without a flood; during (i) and (j) a second load generator, a process
  of its own, sends ${config.floodRate} wrong secrets a second, open loop, from the start of the warm-up to the end of the
  measured runs: \`client_credentials\` requests with \`client_secret_basic\` and a secret never sent before, for
  clients seeded with the gateway (not the one the protected calls' token is from). (i) is naive: one known client
  from one address, locked after ${perClient} failures and then refused without a bcrypt. (j) is distributed: ${config.floodClients} other
  clients in turn, each request from a fresh X-Forwarded-For address, so that no counter locks for ${Math.round((perClient * config.floodClients) / Math.max(config.floodRate, 1))} s and
  every wrong secret costs a bcrypt, or a 503 once the pool's queue is full: the worst case for the event loop.
  The flood's columns count its answers during the measured run.
- **Real Redis**: ${config.redisUrl.replace(/\/\/[^@]*@/, '//')}, flushed before each gateway.${config.stores.includes('cluster') ? clusterLine : ''}
- Targets are ratios to (a), or to (h) for the floods, measured in the same run; a missed target is profiled by
  running that scenario once more with the gateway under \`node --cpu-prof\`.`;
}
