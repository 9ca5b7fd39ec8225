/**
 * Preloaded (node --require) into a gateway run with --cpu-prof: node writes
 * the profile only on a normal exit, and a SIGTERM would kill it first.
 */
process.once('SIGTERM', () => process.exit(0));
