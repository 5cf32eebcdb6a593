import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  flushTraces,
  getCurrentActiveSpan,
  init,
  memoryStore,
  SpanType,
  setDefaultTracker,
  silentLogger,
  startSpan,
  trace,
  updateCurrentTrace,
  withSpan,
} from '../src/index.js';

describe('module-level API (MLflow TypeScript names)', () => {
  it('traces through the default tracker set by init()', async () => {
    const store = memoryStore();
    // Wrapped before init(): resolved at call time.
    const double = trace((n: number) => n * 2, { name: 'double', spanType: SpanType.TOOL });
    init({ store, experimentName: 'module-api', logger: silentLogger, handleExitSignals: false });
    const out = await withSpan(
      async (span) => {
        expect(getCurrentActiveSpan()).toBe(span);
        updateCurrentTrace({ tags: { via: 'module' } });
        const manual = startSpan({ name: 'manual' });
        manual.end();
        return double(21);
      },
      { name: 'root' },
    );
    expect(out).toBe(42);
    await flushTraces();
    const exp = (await store.getExperimentByName('module-api'))!;
    const { items: traces } = await store.searchTraces({ experimentIds: [exp.experimentId] });
    expect(traces).toHaveLength(1);
    expect(traces[0]!.tags.via).toBe('module');
    expect((await store.getTrace(traces[0]!.traceId))!.spans.map((s) => s.name).sort()).toEqual([
      'double',
      'manual',
      'root',
    ]);
    setDefaultTracker(null);
  });
});

const coreDist = resolve(import.meta.dirname, '../dist/index.js');

function child(body: string, options: { initOptions?: string; hangingStore?: boolean } = {}) {
  const dir = mkdtempSync(join(tmpdir(), 'graphtrace-exit-'));
  const out = join(dir, 'written.jsonl');
  const script = join(dir, 'child.mjs');
  writeFileSync(
    script,
    `import { appendFileSync } from 'node:fs';
import { init, memoryStore, setExitFlushTimeout, withSpan, trace } from ${JSON.stringify(coreDist)};
const inner = memoryStore();
// A store that takes its time, then records every write in a file the test reads.
const store = Object.assign(Object.create(inner), {
  async logSpans(e, spans, write) {
    // A hanging store is a server that never answers: it holds the event loop until told to stop.
    await new Promise((r, j) => {
      const t = setTimeout(r, ${options.hangingStore ? 60_000 : 50});
      write?.signal?.addEventListener('abort', () => { clearTimeout(t); j(write.signal.reason); });
    });
    appendFileSync(${JSON.stringify(out)}, spans.map((s) => JSON.stringify({ span: s.name })).join('\\n') + '\\n');
    return inner.logSpans(e, spans);
  },
  async startTrace(info) {
    appendFileSync(${JSON.stringify(out)}, JSON.stringify({ trace: info.tags['mlflow.traceName'] }) + '\\n');
    return inner.startTrace(info);
  },
});
const mark = (what) => appendFileSync(${JSON.stringify(out)}, JSON.stringify({ mark: what }) + '\\n');
init({ store, experimentName: 'exit', ${options.initOptions ?? ''} });
${body}
`,
  );
  // A run past the timeout is killed with SIGKILL, so it never passes for an exit by SIGTERM.
  const r = spawnSync(process.execPath, [script], {
    encoding: 'utf8',
    timeout: 20_000,
    killSignal: 'SIGKILL',
  });
  let lines: Record<string, string>[] = [];
  try {
    lines = readFileSync(out, 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
  } catch {
    // nothing written
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  return { ...r, lines };
}

describe('flush on process exit', () => {
  it('writes pending spans when the event loop runs dry (beforeExit)', () => {
    const r = child(`for (let i = 0; i < 3; i++) withSpan({ name: 'job-' + i }, () => i);`);
    expect(r.status).toBe(0);
    expect(
      r.lines
        .filter((l) => l.trace)
        .map((l) => l.trace)
        .sort(),
    ).toEqual(['job-0', 'job-1', 'job-2']);
  });

  it('leaves Ctrl+C alone by default: a CPU-busy program stops at once, its next statements never run', () => {
    const r = child(`
withSpan({ name: 'before-busy' }, () => 1); // a span waiting to be written
const until = Date.now() + 3000;
let signalled = false;
while (Date.now() < until) {
  if (!signalled) { signalled = true; process.kill(process.pid, 'SIGINT'); }
}
mark('after the busy loop');`);
    expect(r.signal).toBe('SIGINT');
    expect(r.lines).not.toContainEqual({ mark: 'after the busy loop' });
  });

  it('with handleExitSignals, writes pending spans on SIGTERM, then exits by the signal', () => {
    const r = child(
      `
withSpan({ name: 'before-term' }, () => 1);
setInterval(() => {}, 1000); // a server that would run forever
setTimeout(() => process.kill(process.pid, 'SIGTERM'), 20);`,
      { initOptions: 'handleExitSignals: true' },
    );
    expect(r.signal).toBe('SIGTERM');
    expect(r.lines).toContainEqual({ trace: 'before-term' });
    expect(r.lines).toContainEqual({ span: 'before-term' });
  });

  it('with handleExitSignals and a store that never answers, still exits by the signal after the budget', () => {
    const r = child(
      `
setExitFlushTimeout(500);
withSpan({ name: 'stuck' }, () => 1);
setInterval(() => {}, 1000);
setTimeout(() => process.kill(process.pid, 'SIGTERM'), 20);`,
      { initOptions: 'handleExitSignals: true', hangingStore: true },
    );
    // Killed by the test's 20 s timeout instead, it would show SIGKILL.
    expect(r.signal).toBe('SIGTERM');
    expect(r.lines).not.toContainEqual({ span: 'stuck' });
  });

  it('a program that returns exits after the flush budget even when the store never answers', () => {
    const r = child(`setExitFlushTimeout(500);\nwithSpan({ name: 'stuck' }, () => 1);`, {
      hangingStore: true,
    });
    expect(r.status).toBe(0);
    expect(r.stderr).toMatch(/did not take every trace within the flush budget of 500 ms/);
  });

  it('leaves SIGINT to the program when it handles the signal itself', () => {
    const r = child(
      `
process.on('SIGINT', () => { setTimeout(() => process.exit(7), 300); });
trace(function work() { return 1; })();
setInterval(() => {}, 1000);
setTimeout(() => process.kill(process.pid, 'SIGINT'), 20);`,
      { initOptions: 'handleExitSignals: true' },
    );
    expect(r.status).toBe(7);
    expect(r.lines).toContainEqual({ trace: 'work' });
  });
});
