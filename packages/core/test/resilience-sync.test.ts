import { describe, expect, it } from 'vitest';
import { memoryStore } from '../src/memory/memory-store.js';
import { syncSpool } from '../src/resilience/sync-spool.js';
import type { TrackingStore } from '../src/store/tracking-store.js';
import { makeTraceInfo, makeTraceTree, newTraceId } from '../src/testing/fixtures.js';
import { flakyStore } from './resilience-helpers.js';

async function seed(
  store: TrackingStore,
  experimentName: string,
  n: number,
  startMs = 1_700_000_000_000,
) {
  const exp = (await store.getOrCreateExperiment(experimentName)).experimentId;
  const ids: string[] = [];
  for (let i = 0; i < n; i++) {
    const id = newTraceId();
    ids.push(id);
    await store.logSpans(exp, makeTraceTree(id, startMs + i * 1000));
    await store.startTrace(makeTraceInfo(exp, id, { requestTime: startMs + i * 1000 }));
  }
  return { exp, ids };
}

async function count(store: TrackingStore, experimentName: string) {
  const e = await store.getExperimentByName(experimentName);
  if (!e) return 0;
  return (await store.searchTraces({ experimentIds: [e.experimentId], maxResults: 1000 })).items
    .length;
}

describe('syncSpool', () => {
  it('moves every trace to a same-named experiment, spans then info, and empties the spool', async () => {
    const spool = memoryStore();
    const target = memoryStore();
    await target.getOrCreateExperiment('other'); // so the ids differ between the stores
    const { ids } = await seed(spool, 'agents', 7);
    const r = await syncSpool({ from: spool, to: target });
    expect(r).toMatchObject({ traces: 7, spans: 28, alreadyPresent: 0, failed: [], remaining: 0 });
    expect(await count(spool, 'agents')).toBe(0);
    const exp = await target.getExperimentByName('agents');
    for (const id of ids) {
      const t = await target.getTrace(id);
      expect(t?.info.experimentId).toBe(exp!.experimentId);
      expect(t?.info.state).toBe('OK');
      expect(t?.spans).toHaveLength(4);
    }
  });

  it('is idempotent: a trace the target already has is not written again, a partial one is completed', async () => {
    const spool = memoryStore();
    const target = memoryStore();
    const { ids } = await seed(spool, 'agents', 3);
    // Trace 0 is already on the target in full; trace 1 has two of its spans there.
    const texp = (await target.getOrCreateExperiment('agents')).experimentId;
    const t0 = (await spool.getTrace(ids[0]!))!;
    await target.logSpans(texp, t0.spans);
    await target.startTrace({ ...t0.info, experimentId: texp });
    const t1 = (await spool.getTrace(ids[1]!))!;
    await target.logSpans(texp, t1.spans.slice(0, 2));

    const counting = flakyStore(target, { down: false });
    const r = await syncSpool({ from: spool, to: counting });
    expect(r.traces).toBe(3);
    expect(r.alreadyPresent).toBe(1);
    expect(r.spans).toBe(2 + 4);
    expect(counting.calls.logSpans).toBe(2);
    expect(await count(target, 'agents')).toBe(3);
    expect((await target.getTrace(ids[1]!))?.spans).toHaveLength(4);
    expect((await target.getTrace(ids[1]!))?.info.state).toBe('OK');

    // Running it again finds nothing to do.
    const again = await syncSpool({ from: spool, to: counting });
    expect(again.traces).toBe(0);
    expect(counting.calls.logSpans).toBe(2);
  });

  it('keeps what it could not send, stops early when the target is away, and resumes later', async () => {
    const spool = memoryStore();
    const inner = memoryStore();
    const state = { down: true };
    await seed(spool, 'agents', 5);
    const r = await syncSpool({ from: spool, to: flakyStore(inner, state) });
    expect(r.traces).toBe(0);
    expect(r.failed).toHaveLength(1);
    expect(r.remaining).toBe(4);
    expect(await count(spool, 'agents')).toBe(5);
    state.down = false;
    const r2 = await syncSpool({ from: spool, to: flakyStore(inner, state), maxTraces: 3 });
    expect(r2).toMatchObject({ traces: 3, remaining: 2 });
    const r3 = await syncSpool({ from: spool, to: inner });
    expect(r3).toMatchObject({ traces: 2, remaining: 0 });
    expect(await count(inner, 'agents')).toBe(5);
    expect(await count(spool, 'agents')).toBe(0);
  });

  it('copies without deleting with keep: true', async () => {
    const spool = memoryStore();
    const target = memoryStore();
    await seed(spool, 'Default', 2);
    const r = await syncSpool({ from: spool, to: target, keep: true });
    expect(r.traces).toBe(2);
    expect(await count(spool, 'Default')).toBe(2);
    expect(await count(target, 'Default')).toBe(2);
  });

  it('refuses to drain a store that cannot delete traces', async () => {
    const spool = memoryStore();
    const noDelete = Object.assign(Object.create(spool), {
      capabilities: { ...spool.capabilities, deleteTraces: false },
    }) as TrackingStore;
    await expect(syncSpool({ from: noDelete, to: memoryStore() })).rejects.toMatchObject({
      code: 'UNSUPPORTED',
    });
  });
});
