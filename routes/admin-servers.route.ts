import type { NextFunction, Request, Response, Router } from 'express';
import type { EgLogger } from '../lib/eg/types';
import { describable, InvalidRequest } from '../lib/errors';
import { sendOAuthError } from '../lib/http/send-oauth-error';
import { keepMaskedSecrets, maskedEntry, parseServerEntry, ServerEntry } from '../lib/servers/server-entry';
import type { ServerDirectory } from '../lib/servers/server-directory';
import { isSafeFetchUrl } from '../lib/keys/safe-url';
import { jwtTokenStrategy } from '../policies/oauth2/jwt-token.strategy';

interface Deps { directory: ServerDirectory; logger: EgLogger }

const quiet: EgLogger = { error() {}, warn() {}, info() {}, debug() {} };

/**
 * Builds what a pipeline would build from the entry, so that keys that do
 * not load or http URLs off loopback are a 400 now, not a 401 on every call.
 * @throws InvalidRequest saying what is wrong.
 */
function checkUsable(entry: ServerEntry): void {
  const { jwt, introspection } = entry.tokenStrategy;
  // A path is read on the instance that loads it: other instances may lack the file, and the admin API must not read the host's files.
  const fileKey = Array.isArray(jwt?.keys) ? jwt!.keys.findIndex((key) => key.keyFile !== undefined) : -1;
  if (fileKey >= 0) throw new InvalidRequest(`tokenStrategy.jwt.keys[${fileKey}].keyFile is not accepted over the admin API: send the key itself in key`);
  try {
    if (jwt) jwtTokenStrategy(jwt, null, quiet);
  } catch (err) {
    throw new InvalidRequest((err as Error).message.replace(/^oauth2 policy: /, 'tokenStrategy.'));
  }
  // Client secrets and tokens go to these URLs: never in clear over the network.
  const urls: Array<[string, string]> = Object.entries(entry.endpoints).map(([name, upstream]) => [`endpoints.${name}.url`, upstream.url]);
  if (introspection) urls.push(['tokenStrategy.introspection.endpoint', introspection.endpoint]);
  if (entry.loginRedirect && !URL.canParse(entry.loginRedirect)) throw new InvalidRequest(`loginRedirect is not a URL: ${entry.loginRedirect}`);
  const unsafe = urls.find(([, url]) => !isSafeFetchUrl(url));
  if (unsafe) throw new InvalidRequest(`${unsafe[0]} must be an https URL (plain http only on loopback): ${unsafe[1]}`);
}

function answer(res: Response, status: number, error: string, description: string): void {
  res.status(status).json({ error, error_description: describable(description) });
}

/**
 * Admin API (EG's admin port) of the external authorization server registry
 * (Janus's /oauth/servers): POST, GET (list and one), PUT and DELETE under
 * /oauth2/servers. Secrets are only ever shown masked.
 */
export function mountAdminServerRoutes(router: Router, { directory, logger }: Deps): void {
  const { registry } = directory;
  const step = (work: (req: Request, res: Response) => Promise<void>) =>
    (req: Request, res: Response, _next: NextFunction) => { work(req, res).catch((err) => sendOAuthError(res, err, logger)); };

  router.get('/oauth2/servers', step(async (_req, res) => {
    res.json({ servers: (await registry.list()).map(maskedEntry) });
  }));

  router.get('/oauth2/servers/:name', step(async (req, res) => {
    const entry = await registry.get(req.params.name);
    if (!entry) return answer(res, 404, 'not_found', `No server is named "${req.params.name.slice(0, 64)}"`);
    res.json(maskedEntry(entry));
  }));

  router.post('/oauth2/servers', step(async (req, res) => {
    const entry = parseServerEntry(req.body);
    checkUsable(entry);
    if (!(await registry.create(entry))) return answer(res, 409, 'conflict', `A server named "${entry.name}" exists; PUT /oauth2/servers/${entry.name} changes it`);
    directory.announce(entry.name);
    logger.info(`oauth2: external server ${entry.name} registered`);
    res.status(201).location(`/oauth2/servers/${entry.name}`).json(maskedEntry(entry));
  }));

  router.put('/oauth2/servers/:name', step(async (req, res) => {
    const body = { name: req.params.name, ...req.body };
    if (body.name !== req.params.name) throw new InvalidRequest('name cannot change: DELETE the entry and POST a new one');
    const stored = await registry.get(req.params.name);
    if (!stored) return answer(res, 404, 'not_found', `No server is named "${req.params.name.slice(0, 64)}"`);
    const entry = parseServerEntry(keepMaskedSecrets(body, stored));
    checkUsable(entry);
    await registry.replace(entry);
    directory.announce(entry.name);
    logger.info(`oauth2: external server ${entry.name} changed`);
    res.json(maskedEntry(entry));
  }));

  router.delete('/oauth2/servers/:name', step(async (req, res) => {
    if (!(await registry.remove(req.params.name))) return answer(res, 404, 'not_found', `No server is named "${req.params.name.slice(0, 64)}"`);
    directory.announce(req.params.name);
    logger.info(`oauth2: external server ${req.params.name} removed`);
    res.status(204).end();
  }));
}
