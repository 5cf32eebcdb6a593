import { spawnSync } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const here = dirname(fileURLToPath(import.meta.url));
const fixture = join(here, 'fixtures', 'unavailable');
const vitestBin = join(here, '..', 'node_modules', '.bin', 'vitest');

interface JsonReport {
  numPassedTests: number;
  numFailedTests: number;
  numPendingTests: number;
  success: boolean;
  testResults: {
    assertionResults: { fullName: string; status: string; failureMessages: string[] }[];
  }[];
}

/** Runs the fixture suite in a child vitest where python3 does not exist. */
function runFixture(ci: string, cacheDir: string) {
  const r = spawnSync(vitestBin, ['run', '--config', join(fixture, 'vitest.config.ts')], {
    cwd: fixture,
    encoding: 'utf8',
    env: {
      ...process.env,
      CI: ci,
      GRAPHTRACE_CACHE_DIR: cacheDir,
      GRAPHTRACE_PYTHON: '/nonexistent/python3',
    },
    timeout: 120_000,
  });
  const json = r.stdout.slice(r.stdout.indexOf('{'));
  return { status: r.status, stderr: r.stderr, report: JSON.parse(json) as JsonReport };
}

describe('describeInterop without MLflow', () => {
  let cache: string;
  beforeAll(async () => {
    cache = await mkdtemp(join(tmpdir(), 'testkit-nopython-'));
  });
  afterAll(async () => {
    await rm(cache, { recursive: true, force: true });
  });

  it('skips outside CI and says why', () => {
    const { status, stderr, report } = runFixture('false', cache);
    expect(status).toBe(0);
    expect(report.numFailedTests).toBe(0);
    expect(report.numPassedTests).toBe(0);
    expect(report.numPendingTests).toBe(1);
    const names = report.testResults.flatMap((f) => f.assertionResults.map((a) => a.fullName));
    expect(names[0]).toMatch(/needs mlflow \[skipped: Cannot run `\/nonexistent\/python3`/);
    expect(stderr).toContain('interop tests will be skipped');
  });

  it('fails under CI=true with the reason, never skips', () => {
    const { status, report } = runFixture('true', cache);
    expect(status).not.toBe(0);
    expect(report.success).toBe(false);
    expect(report.numFailedTests).toBeGreaterThan(0);
    const failures = report.testResults
      .flatMap((f) => f.assertionResults.flatMap((a) => a.failureMessages))
      .join('\n');
    expect(failures).toContain('MLflow 3.9.0 is required when CI=true');
    expect(failures).toContain('/nonexistent/python3');
  });
});
