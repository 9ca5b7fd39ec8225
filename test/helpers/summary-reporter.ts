import Mocha from 'mocha';

/**
 * Mocha's spec reporter, plus closing lines that CI reads: one `skipped: <suite> (n)`
 * line per top-level suite with skipped tests (a suite that silently stops running
 * shows), a `failed: <title path>: <first line of the error>` line per failure (CI prints
 * only the tail of its log), then `N passed, M failed, K skipped`.
 */
class SummaryReporter extends Mocha.reporters.Spec {
  constructor(runner: Mocha.Runner, options?: Mocha.MochaOptions) {
    super(runner, options);
    const skipped = new Map<string, number>();
    const failed: string[] = [];
    runner.on(Mocha.Runner.constants.EVENT_TEST_FAIL, (test: Mocha.Test, err: Error) => {
      const reason = String(err?.message ?? err)
        .split('\n')[0]!
        .slice(0, 300);
      failed.push(`${test.titlePath().join(' > ')}: ${reason}`);
    });
    runner.on(Mocha.Runner.constants.EVENT_TEST_PENDING, (test: Mocha.Test) => {
      const suite = test.titlePath()[0] ?? test.title;
      skipped.set(suite, (skipped.get(suite) ?? 0) + 1);
    });
    runner.once(Mocha.Runner.constants.EVENT_RUN_END, () => {
      const { passes, failures, pending } = runner.stats ?? { passes: 0, failures: 0, pending: 0 };
      for (const title of failed) process.stdout.write(`failed: ${title}\n`);
      for (const [suite, count] of skipped) process.stdout.write(`skipped: ${suite} (${count})\n`);
      process.stdout.write(`${passes} passed, ${failures} failed, ${pending} skipped\n`);
    });
  }
}

export = SummaryReporter;
