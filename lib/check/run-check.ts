import { PACKAGE } from '../eg/start-line';
import {
  appModelComplete,
  Finding,
  findEntry,
  noLeftovers,
  pipelinesValid,
  pluginLoads,
  settingsValid,
  storeReachable
} from './checks';
import { readGatewayFolder } from './gateway-folder';
import type { PolicyParams } from '../../schemas/policy.schema';

type DryRun = (params: PolicyParams) => void;

const LABEL: Record<Finding['kind'], string> = { ok: 'ok     ', problem: 'PROBLEM', note: 'note   ' };

/** Every check, in the order a gateway meets them at start. */
async function findings(configDir: string, dryRun: DryRun): Promise<Finding[]> {
  let folder;
  try {
    folder = readGatewayFolder(configDir);
  } catch (err) {
    return [
      {
        kind: 'problem',
        text: `cannot read the gateway's configuration in ${configDir}: ${(err as Error).message.split('\n')[0]}`
      }
    ];
  }
  const entry = findEntry(folder);
  if (!entry) {
    return [
      {
        kind: 'problem',
        text: `system.config: no plugins entry loads ${PACKAGE.name}; add plugins.oauth2.package: ${PACKAGE.name}`
      },
      ...pipelinesValid(folder, dryRun)
    ];
  }
  const { finding, settings } = settingsValid(folder, entry);
  const model = settings ? appModelComplete(folder, settings) : null;
  return [
    pluginLoads(folder, entry),
    finding,
    ...(model ? [model] : []),
    ...pipelinesValid(folder, dryRun),
    ...noLeftovers(folder),
    ...(await storeReachable(folder, settings))
  ];
}

/**
 * `express-gateway-plugin-oauth2 check [config dir]`: one line per fact or
 * mistake, and exit status 1 when there is a mistake.
 */
export async function runCheck(configDir: string, dryRun: DryRun, write: (line: string) => void): Promise<number> {
  const all = await findings(configDir, dryRun);
  for (const { kind, text } of all) write(`${LABEL[kind]}  ${text}`);
  const problems = all.filter((item) => item.kind === 'problem').length;
  write(
    problems === 0
      ? `${PACKAGE.name} ${PACKAGE.version}: no problem found in ${configDir}`
      : `${problems} problem${problems > 1 ? 's' : ''} found in ${configDir}`
  );
  return problems === 0 ? 0 : 1;
}
