#!/usr/bin/env node
/**
 * The package's command line:
 *   express-gateway-plugin-oauth2 check [config dir]   checks a gateway's configuration (default ./config)
 *   express-gateway-plugin-oauth2 --version
 */
import { runCheck } from '../lib/check/run-check';
import { PACKAGE } from '../lib/eg/start-line';
import { dryRunPolicy } from '../policies/oauth2/dry-run';

const USAGE = `usage: ${PACKAGE.name} check [config dir]

Reads a gateway's configuration (default: $EG_CONFIG_DIR, else ./config) and reports,
one line each, whether the plugin loads, its settings and every pipeline's oauth2
parameters are valid, the app model holds what registration writes, Redis answers,
every server a pipeline names is registered, and EG's unused oauth2 settings.
Exit status 1 when anything is wrong.`;

async function main(args: string[]): Promise<number> {
  const [command, dir, ...rest] = args;
  if (command === '--version' || command === '-v') {
    process.stdout.write(`${PACKAGE.version}\n`);
    return 0;
  }
  if (command !== 'check' || rest.length > 0 || dir?.startsWith('-')) {
    process.stderr.write(`${USAGE}\n`);
    return command === '--help' || command === '-h' ? 0 : 2;
  }
  return runCheck(dir ?? process.env.EG_CONFIG_DIR ?? 'config', dryRunPolicy, (line) =>
    process.stdout.write(`${line}\n`)
  );
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err: Error) => {
    process.stderr.write(`${PACKAGE.name} check failed: ${err.message}\n`);
    process.exitCode = 1;
  }
);
