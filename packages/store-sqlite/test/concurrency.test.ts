import { type ChildProcess, spawn } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { sqliteStore } from '../src/index.js';
import { tempDir } from './helpers.js';

const pkg = join(dirname(fileURLToPath(import.meta.url)), '..');
// Runs the built package (test/build-dist.ts rebuilds it when stale).
const writer = join(pkg, 'test', 'fixtures', 'writer.mjs');
const dir = tempDir('sqlite-concurrency');

interface Child {
  proc: ChildProcess;
  acks: number;
  stdout: string;
  stderr: string;
  exit: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

function startWriter(args: (string | number)[], onAck?: (acks: number) => void): Child {
  const proc = spawn(process.execPath, [writer, ...args.map(String)], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const child: Child = {
    proc,
    acks: 0,
    stdout: '',
    stderr: '',
    exit: new Promise((resolve) => proc.on('exit', (code, signal) => resolve({ code, signal }))),
  };
  proc.stdout!.setEncoding('utf8').on('data', (d: string) => {
    child.stdout += d;
    const acks = (child.stdout.match(/^ack \d+$/gm) ?? []).length;
    if (acks !== child.acks) {
      child.acks = acks;
      onAck?.(acks);
    }
  });
  proc.stderr!.setEncoding('utf8').on('data', (d: string) => {
    child.stderr += d;
  });
  return child;
}

function count(path: string, sql: string): number {
  const db = new Database(path, { readonly: true });
  try {
    return (db.prepare(sql).get() as { n: number }).n;
  } finally {
    db.close();
  }
}

function integrity(path: string): string {
  const db = new Database(path);
  try {
    return db.pragma('integrity_check', { simple: true }) as string;
  } finally {
    db.close();
  }
}

describe('several processes writing one database', () => {
  it('loses no row and lets no SQLITE_BUSY reach the writers', async () => {
    const path = join(dir, 'shared.db');
    const WORKERS = 4;
    const BATCHES = 25;
    const TRACES = 5;
    const SPANS = 20;
    // busy_timeout 0 (half the writers) or 20 ms: collisions go to the async retry path;
    // they also race to create the file, its schema and the experiment.
    const children = Array.from({ length: WORKERS }, (_, w) =>
      startWriter([path, w, BATCHES, TRACES, SPANS, w % 2 === 0 ? 0 : 20]),
    );
    const exits = await Promise.all(children.map((c) => c.exit));
    for (const [i, c] of children.entries()) {
      expect(c.stderr, `writer ${i} stderr`).not.toMatch(/SQLITE_BUSY|locked/i);
      expect(exits[i], `writer ${i}: ${c.stderr}`).toEqual({ code: 0, signal: null });
      expect(c.acks).toBe(BATCHES);
    }
    expect(count(path, 'SELECT count(*) AS n FROM experiments')).toBe(2);
    expect(count(path, 'SELECT count(*) AS n FROM runs')).toBe(WORKERS);
    expect(count(path, 'SELECT count(*) AS n FROM trace_info')).toBe(WORKERS * BATCHES * TRACES);
    expect(count(path, "SELECT count(*) AS n FROM trace_info WHERE status = 'OK'")).toBe(
      WORKERS * BATCHES * TRACES,
    );
    expect(count(path, 'SELECT count(*) AS n FROM spans')).toBe(WORKERS * BATCHES * TRACES * SPANS);
    expect(count(path, 'SELECT count(*) AS n FROM metrics')).toBe(WORKERS * BATCHES);
    expect(integrity(path)).toBe('ok');
  }, 120_000);

  it('keeps every acknowledged batch when a writer is killed with SIGKILL mid-batch', async () => {
    const path = join(dir, 'killed.db');
    const TRACES = 50;
    const SPANS = 20; // 1000 spans: one transaction per batch
    let kill: (() => void) | undefined;
    const killAt = 4 + Math.floor(Math.random() * 4);
    const child = startWriter([path, 0, 'forever', TRACES, SPANS, 5000], (acks) => {
      // Kill somewhere inside the next batch's encoding or transaction.
      if (acks === killAt) setTimeout(() => kill?.(), Math.random() * 30);
    });
    kill = () => child.proc.kill('SIGKILL');
    const exit = await child.exit;
    expect(exit.signal, child.stderr).toBe('SIGKILL');
    const acked = child.acks;
    expect(acked).toBeGreaterThanOrEqual(killAt);

    expect(integrity(path)).toBe('ok');
    const spans = count(path, 'SELECT count(*) AS n FROM spans');
    // Every acknowledged batch is there; a batch committed just before the kill may be too,
    // but never a part of one.
    expect(spans % (TRACES * SPANS)).toBe(0);
    expect(spans / (TRACES * SPANS)).toBeGreaterThanOrEqual(acked);
    expect(spans / (TRACES * SPANS)).toBeLessThanOrEqual(acked + 1);
    const store = sqliteStore({ path });
    const { items: traces } = await store.searchTraces({ experimentIds: ['1'], maxResults: 10 });
    expect(traces).toHaveLength(10);
    await store.close();
  }, 120_000);
});
