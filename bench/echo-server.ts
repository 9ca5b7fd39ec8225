/**
 * The echo backend as a process of its own, so that it does not share an
 * event loop with the load generator. Prints its URL on the first line.
 */
import { startEchoBackend } from '../demo/echo-backend';

startEchoBackend().then(({ url }) => process.stdout.write(`${url}\n`), (err) => {
  process.stderr.write(`echo backend failed to start: ${err}\n`);
  process.exit(1);
});
