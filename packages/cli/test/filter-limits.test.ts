import { afterAll, describe, expect, it } from 'vitest';
import { graphtrace, tempDir } from './helpers/cli.js';

// Filters are checked before a store is opened: an empty directory is enough.
const dir = tempDir();
afterAll(() => dir.remove());
const run = (...args: string[]) => graphtrace(args, { cwd: dir.path });

describe('filter size limits are usage errors (exit 2), not SQLite errors', () => {
  it('1,000 AND clauses', async () => {
    const filter = Array.from({ length: 1000 }, (_, i) => `tags.k${i} = 'v'`).join(' AND ');
    const r = await run('traces', 'ls', '--filter', filter);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(
      /^graphtrace: error: Invalid filter at column \d+: this filter has 1000 comparisons; at most 100 are allowed/,
    );
    expect(r.stderr).not.toMatch(/Expression tree/);
  });

  it('an IN list over 1,000 values, naming the key', async () => {
    const ids = Array.from({ length: 1001 }, (_, i) => `'${i.toString(16).padStart(32, '0')}'`);
    const r = await run('runs', 'ls', '--filter', `attributes.run_id IN (${ids.join(',')})`);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(
      /^graphtrace: error: Invalid filter at column 22: the IN list of attribute `run_id` has 1001 values; at most 1000 are allowed in one list/,
    );
  });
});

describe('an empty --order-by', () => {
  it.each([
    ['traces', 'timestamp_ms DESC'],
    ['runs', 'metrics.accuracy DESC'],
    ['experiments', 'creation_time DESC'],
  ])('%s ls says the term is empty and shows the expected form', async (command, example) => {
    const r = await run(command, 'ls', '--order-by', '');
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(
      `graphtrace: error: Invalid order_by at column 1: the order_by term is empty; expected \`column [ASC|DESC]\`, e.g. \`${example}\`\n`,
    );
  });
});
