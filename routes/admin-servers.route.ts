import type { Router } from 'express';
import type { EgLogger } from '../lib/eg/types';
import { Conflict, InvalidRequest, NotFound } from '../lib/errors';
import { asyncStep } from '../lib/http/async-step';
import { pathParam } from '../lib/http/request-fields';
import {
  keepMaskedSecrets,
  maskedEntry,
  maskedSecretsLeft,
  parseServerEntry,
  ServerEntry
} from '../lib/servers/server-entry';
import type { ServerDirectory } from '../lib/servers/server-directory';
import type { LiveListenPaths } from '../lib/servers/live-listen-paths';
import { beyondJanus, fromJanus, toJanus } from '../lib/servers/janus-entry';
import { weaknessesOf } from '../lib/servers/server-weaknesses';
import { jwtTokenStrategy } from '../lib/strategies/jwt-token.strategy';

interface Deps {
  directory: ServerDirectory;
  listenPaths: LiveListenPaths;
  strict: boolean;
  logger: EgLogger;
}

const quiet: EgLogger = { error() {}, warn() {}, info() {}, debug() {} };

/**
 * Builds what a pipeline would build from the entry, so that keys that do
 * not load are a 400 now, not a 401 on every call.
 * @throws InvalidRequest saying what is wrong.
 */
function checkUsable(entry: ServerEntry): void {
  const { jwt } = entry.tokenStrategy;
  // A path is read on the instance that loads it: other instances may lack the file, and the admin API must not read
  // the host's files.
  const fileKey = Array.isArray(jwt?.keys) ? jwt!.keys.findIndex((key) => key.keyFile !== undefined) : -1;
  if (fileKey >= 0)
    throw new InvalidRequest(
      `tokenStrategy.jwt.keys[${fileKey}].keyFile is not accepted over the admin API: send the key itself in key`
    );
  try {
    if (jwt) jwtTokenStrategy(jwt, null, quiet, { registered: true });
  } catch (err) {
    throw new InvalidRequest((err as Error).message.replace(/^oauth2 policy: /, 'tokenStrategy.'));
  }
  if (entry.loginRedirect && !URL.canParse(entry.loginRedirect))
    throw new InvalidRequest(`loginRedirect is not a URL: ${entry.loginRedirect}`);
}

/** One of the two shapes the registry speaks: its own at /oauth2/servers, Janus's at /oauth/servers. */
interface Shape {
  path: string;
  read(body: unknown): unknown;
  show(entry: ServerEntry): object;
  /** What of a stored entry a write in this shape would lose (then it is refused). */
  wouldLose(stored: ServerEntry): string[];
  /** Weaknesses accepted with warnings (Janus's shape, for migrations) rather than refused. */
  lenient: boolean;
}

const SHAPES: Shape[] = [
  { path: '/oauth2/servers', read: (body) => body, show: (entry) => entry, wouldLose: () => [], lenient: false },
  { path: '/oauth/servers', read: fromJanus, show: toJanus, wouldLose: beyondJanus, lenient: true }
];

const noSuchServer = (name: string) => new NotFound(`No server is named "${name.slice(0, 64)}"`);

/**
 * Admin API (EG's admin port) of the external authorization server registry:
 * POST, GET (list and one), PUT and DELETE under /oauth2/servers in this
 * plugin's shape, and under Janus's /oauth/servers in Janus's (seed 000).
 * One registry: an entry made through either is served by both, each
 * answering in its own shape. Secrets are only ever shown masked. A Janus
 * client's `Authorization: Bearer` header is accepted and ignored: EG's admin
 * API has no authentication of its own (the README says how to protect it).
 */
export function mountAdminServerRoutes(router: Router, { directory, listenPaths, strict, logger }: Deps): void {
  const { registry } = directory;

  /** Weaknesses are refused in strict mode, else logged and answered as warnings (see server-weaknesses.ts). */
  async function judged(entry: ServerEntry, shape: Shape): Promise<string[]> {
    const masked = maskedSecretsLeft(entry);
    if (masked.length > 0) {
      throw new InvalidRequest(
        `${masked.join(', ')} still masked: send the secret itself (a masked value is kept only where the stored entry has it at the same place)`
      );
    }
    checkUsable(entry);
    await refuseTakenListenPaths(entry);
    const weaknesses = weaknessesOf(entry);
    // This registry's own shape keeps its secure defaults; Janus's is lenient for migrations unless servers.strict.
    if (weaknesses.length > 0 && (strict || !shape.lenient)) {
      throw new InvalidRequest(
        `${strict ? 'servers.strict refuses this entry' : `this entry is weaker than ${shape.path} accepts (Janus's /oauth/servers takes it, with warnings)`}: ${weaknesses.join('; ')}`
      );
    }
    for (const weakness of weaknesses)
      logger.warn(`oauth2: external server ${JSON.stringify(entry.name)}: ${weakness}`);
    return weaknesses;
  }

  async function refuseTakenListenPaths(entry: ServerEntry): Promise<void> {
    const taken = await listenPaths.conflictsOf(entry);
    if (taken.length > 0) throw new InvalidRequest(`a listen path is taken: ${taken.join('; ')}`);
  }

  /**
   * Checked again once written: a colliding entry written meanwhile on
   * another instance passed the same check before this write existed. The
   * write is undone then (both may be, which is safe: each can be sent again).
   */
  async function undoneIfTaken(entry: ServerEntry, undo: () => Promise<unknown>): Promise<void> {
    try {
      await refuseTakenListenPaths(entry);
    } catch (err) {
      await undo();
      directory.announce(entry.name); // an instance that read the write meanwhile drops it
      throw err;
    }
  }

  /**
   * Tells every instance, and answers once this one's listen paths are as the change left them (the others follow
   * within a second).
   */
  async function announced(name: string): Promise<void> {
    directory.announce(name);
    await listenPaths.refresh();
  }

  const shown = (shape: Shape, entry: ServerEntry, warnings: string[]) => ({
    ...shape.show(maskedEntry(entry)),
    ...(warnings.length > 0 ? { warnings } : {})
  });

  for (const shape of SHAPES) {
    router.get(
      shape.path,
      asyncStep(async (_req, res) => {
        res.json({ servers: (await registry.list()).map((entry) => shape.show(maskedEntry(entry))) });
      })
    );

    router.get(
      `${shape.path}/:name`,
      asyncStep(async (req, res) => {
        const name = pathParam(req, 'name');
        const entry = await registry.get(name);
        if (!entry) throw noSuchServer(name);
        res.json(shape.show(maskedEntry(entry)));
      })
    );

    router.post(
      shape.path,
      asyncStep(async (req, res) => {
        const entry = parseServerEntry(shape.read(req.body));
        const warnings = await judged(entry, shape);
        if (!(await registry.create(entry)))
          throw new Conflict(`A server named "${entry.name}" exists; PUT ${shape.path}/${entry.name} changes it`);
        await undoneIfTaken(entry, () => registry.remove(entry.name));
        await announced(entry.name);
        logger.info(`oauth2: external server ${entry.name} registered`);
        res
          .status(201)
          .location(`${shape.path}/${entry.name}`)
          .json(shown(shape, entry, warnings));
      })
    );

    router.put(
      `${shape.path}/:name`,
      asyncStep(async (req, res) => {
        const name = pathParam(req, 'name');
        const body = { name, ...req.body };
        if (body.name !== name) throw new InvalidRequest('name cannot change: DELETE the entry and POST a new one');
        const stored = await registry.get(name);
        if (!stored) throw noSuchServer(name);
        const lost = shape.wouldLose(stored);
        if (lost.length > 0) {
          throw new InvalidRequest(
            `${lost.join(', ')} of this entry have no place in Janus's shape and would be lost: change it through /oauth2/servers/${stored.name}`
          );
        }
        const entry = parseServerEntry(keepMaskedSecrets(shape.read(body), stored));
        const warnings = await judged(entry, shape);
        await registry.replace(entry);
        await undoneIfTaken(entry, () => registry.replace(stored));
        await announced(entry.name);
        logger.info(`oauth2: external server ${entry.name} changed`);
        res.json(shown(shape, entry, warnings));
      })
    );

    router.delete(
      `${shape.path}/:name`,
      asyncStep(async (req, res) => {
        const name = pathParam(req, 'name');
        if (!(await registry.remove(name))) throw noSuchServer(name);
        await announced(name);
        logger.info(`oauth2: external server ${name} removed`);
        res.status(204).end();
      })
    );
  }
}
