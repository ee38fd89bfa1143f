/**
 * Declares a suite that needs a service of the machine (PostgreSQL, RabbitMQ). `unavailable` is
 * why it cannot be used (null: it can). Without the service the suite is skipped with that
 * reason, except on CI (CI=true), where a missing service must fail the run rather than pass it
 * silently.
 */
export function describeWithService(title: string, needs: string, unavailable: string | null, body: () => void): void {
  if (unavailable === null) {
    describe(title, body);
    return;
  }
  describe(title, () => {
    if (process.env.CI === 'true') {
      it(`needs ${needs} (required on CI)`, () => {
        throw new Error(unavailable);
      });
    } else {
      it(`skipped: ${unavailable}`, function () {
        this.skip();
      });
    }
  });
}
