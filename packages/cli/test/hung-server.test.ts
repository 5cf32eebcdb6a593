import { createServer, type ServerResponse } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { graphtrace, tempDir } from './helpers/cli.js';
import { type Seeded, seedSqlite } from './helpers/seed.js';

// A server that says it is healthy, then never answers an API call: the reachability check
// passes and only the per-call bound can end the wait.
const held = new Set<ServerResponse>();
const hung = createServer((req, res) => {
  if (req.url === '/health') res.end('OK');
  else held.add(res);
});
let uri = '';
const dir = tempDir();
let seeded: Seeded;

beforeAll(async () => {
  await new Promise<void>((r) => hung.listen(0, '127.0.0.1', r));
  uri = `http://127.0.0.1:${(hung.address() as { port: number }).port}`;
  seeded = await seedSqlite(dir.path);
});
afterAll(async () => {
  for (const res of held) res.destroy();
  await new Promise<void>((r) => hung.close(() => r()));
  dir.remove();
});

// Upper bounds are generous: what is asserted is that the command ends, with a clear message.
describe('a server that stops answering', () => {
  it('traces ls gives up after --timeout and says so', async () => {
    const t0 = performance.now();
    const r = await graphtrace(['--tracking-uri', uri, '--timeout', '1', 'traces', 'ls'], {
      cwd: dir.path,
    });
    expect(performance.now() - t0).toBeLessThan(20_000);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(
      /^graphtrace: error: MLflow server http:\/\/127\.0\.0\.1:\d+ did not answer .* within 1000 ms in all.*--timeout/,
    );
  });

  it('sync to it stops after --timeout instead of waiting per trace', async () => {
    const t0 = performance.now();
    const r = await graphtrace(
      ['--timeout', '1', 'sync', '--from', `sqlite:///${seeded.dbPath}`, '--to', uri],
      { cwd: dir.path },
    );
    expect(performance.now() - t0).toBeLessThan(30_000);
    expect(r.code).not.toBe(0);
    // The summary names the cause of what could not be copied.
    expect(r.stdout + r.stderr).toMatch(/did not answer .* within 1000 ms in all/);
  });

  it('--timeout takes only a positive number of seconds (exit 2)', async () => {
    const r = await graphtrace(['--timeout', 'soon', 'traces', 'ls'], { cwd: dir.path });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--timeout.*expected a number of seconds above 0/);
  });
});
