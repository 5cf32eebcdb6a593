import { beforeAll, describe, it } from 'vitest';
import { isCi } from './paths.js';

export type Availability = { ok: true } | { ok: false; reason: string };

export interface Requirement {
  /** What the suite needs, for messages: "Chromium", "PostgreSQL", "the real MLflow 3.9.0". */
  what: string;
  availability: Availability;
  /** The error a CI run fails with; default an Error saying `what` is required when CI=true. */
  error?: (reason: string) => Error;
}

const warned = new Set<string>();

/**
 * `describe` for a suite that needs something outside Node (a browser, a database, Python).
 * Missing outside CI: the suite is skipped, its name and stderr saying why. Missing with
 * CI=true: it fails with that reason instead, so CI can never pass by skipping.
 */
export function describeRequiring(name: string, need: Requirement, fn: () => void): void {
  const a = need.availability;
  if (a.ok) {
    describe(name, fn);
    return;
  }
  const firstLine = a.reason.split('\n')[0] ?? a.reason;
  if (isCi()) {
    const error = () =>
      need.error?.(a.reason) ?? new Error(`${need.what} is required when CI=true: ${a.reason}`);
    describe(name, () => {
      // Hook-free, so it runs and counts as a failed test in every report.
      it(`has ${need.what} available`, () => {
        throw error();
      });
      describe(`(not run: ${need.what} unavailable)`, () => {
        // Registered before the suite's own hooks, so they never start servers or builds.
        beforeAll(() => {
          throw error();
        });
        fn();
      });
    });
    return;
  }
  if (!warned.has(firstLine)) {
    warned.add(firstLine);
    console.warn(`skipping tests that need ${need.what}: ${a.reason}`);
  }
  describe.skip(`${name} [skipped: ${firstLine.slice(0, 160)}]`, fn);
}
