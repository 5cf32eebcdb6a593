import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { graphtrace, json, tempDir } from './helpers/cli.js';
import { seedSqlite } from './helpers/seed.js';

const dir = tempDir('graphtrace-cli-files-');
afterAll(() => dir.remove());

// root may write anywhere, so a permission test needs an ordinary user (CI often runs as root).
const isRoot = process.getuid?.() === 0;

const at = (path: string, ...args: string[]) =>
  graphtrace(['--tracking-uri', `sqlite:///${path}`, ...args], { cwd: dir.path });

describe('an empty file', () => {
  it('is left empty by commands that read, which say it is no database yet (exit 1)', async () => {
    const path = join(dir.path, 'empty.db');
    writeFileSync(path, '');
    for (const args of [
      ['traces', 'ls'],
      ['experiments', 'ls'],
      ['runs', 'ls'],
      ['traces', 'export', 'tr-00000000000000000000000000000000'],
    ]) {
      const r = await at(path, ...args);
      expect({ args, code: r.code, stdout: r.stdout, stderr: r.stderr }).toEqual({
        args,
        code: 1,
        stdout: '',
        stderr: `graphtrace: error: ${path} (sqlite:///${path}) is an empty file, not an MLflow tracking database yet, and this command does not create one (the file stays empty): run your program with this tracking URI to record into it, or point at another store with --tracking-uri\n`,
      });
      expect(statSync(path).size).toBe(0);
    }
  });
});

describe('a file that is not a usable database', () => {
  it('is named, with what to do, by every command (exit 1), and left as it was', async () => {
    const noise = join(dir.path, 'noise.db');
    writeFileSync(noise, randomBytes(8192));
    const before = readFileSync(noise);
    for (const args of [
      ['traces', 'ls'],
      ['experiments', 'ls'],
      ['runs', 'ls'],
      ['db', 'upgrade'],
    ]) {
      const r = await at(noise, ...args);
      expect({ args, code: r.code }).toEqual({ args, code: 1 });
      expect(r.stderr).toBe(
        `graphtrace: error: ${noise} is not an SQLite database (SQLite: file is not a database): it is another kind of file, encrypted, or its header was overwritten. graphtrace leaves it untouched: point the tracking URI at an MLflow database, or move this file away so that a new one can be created in its place.\n`,
      );
    }
    expect(readFileSync(noise).equals(before)).toBe(true);

    const seeded = await seedSqlite(dir.path, 'truncated.db');
    writeFileSync(seeded.dbPath, readFileSync(seeded.dbPath).subarray(0, 8192));
    const r = await at(seeded.dbPath, 'traces', 'ls');
    expect(r.code).toBe(1);
    expect(r.stderr).toBe(
      `graphtrace: error: ${seeded.dbPath} is damaged (SQLite: database disk image is malformed), e.g. truncated by an interrupted copy or a full disk. graphtrace leaves it untouched: restore it from a backup, or salvage what is readable with \`sqlite3 ${seeded.dbPath} .recover | sqlite3 recovered.db\` and point the tracking URI at the result.\n`,
    );
  });
});

describe('a WAL database in a read-only directory', () => {
  it.skipIf(isRoot)(
    'is read by every reading command; a writing one says why it cannot and what to do (exit 1)',
    async () => {
      const shared = join(dir.path, 'shared');
      mkdirSync(shared);
      const s = await seedSqlite(shared);
      expect([...readFileSync(s.dbPath).subarray(18, 20)]).toEqual([2, 2]); // WAL mode
      expect(existsSync(`${s.dbPath}-wal`) || existsSync(`${s.dbPath}-shm`)).toBe(false);
      const before = readFileSync(s.dbPath);
      chmodSync(shared, 0o555);
      try {
        const experiments = json(await at(s.dbPath, 'experiments', 'ls', '--json'));
        expect(experiments.experiments.map((e: any) => e.name)).toEqual(['Default', 'agent-exp']);
        const traces = json(await at(s.dbPath, 'traces', 'ls', '--json'));
        expect(traces.traces.map((t: any) => t.trace_id).sort()).toEqual(
          [s.okTraceId, s.errorTraceId].sort(),
        );
        const shown = await at(s.dbPath, 'traces', 'show', s.okTraceId, '--json');
        expect(shown.code).toBe(0);
        expect(shown.stdout).toContain(s.okTraceId);
        const exported = await at(s.dbPath, 'traces', 'export', s.okTraceId);
        expect(exported.code).toBe(0);
        expect(JSON.parse(exported.stdout).info.trace_id).toBe(s.okTraceId);
        const runs = json(await at(s.dbPath, 'runs', 'ls', '--json'));
        expect(runs.runs.map((r: any) => r.info.run_id)).toEqual([s.runId]);
        const run = await at(s.dbPath, 'runs', 'show', s.runId, '--json');
        expect(run.code).toBe(0);
        expect(run.stdout).toContain('nightly-eval');

        const rm = await at(s.dbPath, 'traces', 'rm', s.okTraceId, '--yes');
        expect(rm.code).toBe(1);
        expect(rm.stderr).toBe(
          `graphtrace: error: ${s.dbPath} is open read-only: this user may not write its directory ${shared}, where SQLite keeps the -wal, -shm and -journal files it writes through, so writes are refused (reads work). To record data, make the directory writable for this user, or copy the database to a writable directory and point the tracking URI at the copy.\n`,
        );
      } finally {
        chmodSync(shared, 0o755);
      }
      expect(readFileSync(s.dbPath).equals(before)).toBe(true);
      expect(existsSync(`${s.dbPath}-wal`) || existsSync(`${s.dbPath}-shm`)).toBe(false);
    },
  );
});
