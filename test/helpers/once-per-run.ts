/**
 * For suites whose outcome does not depend on the store (settings refused at start, the package, the docs): they run
 * once per CI run, in the pass on EG's emulated store, and are skipped in the pass on a real Redis (REDIS_URL), which
 * would only repeat them (on a 2-core machine, about five minutes of the run).
 */
export function oncePerRun(ctx: Mocha.Context): void {
  if (process.env.REDIS_URL) ctx.skip();
}
