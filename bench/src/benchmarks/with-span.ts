import { createTracker, memoryStore, silentLogger } from '@graphtrace/core';
import { type Benchmark, sideBySide } from '../harness.js';

const SPANS_PER_ROUND = 10_000;

// Something small for the traced function to do, so the loop is not optimised away.
function work(i: number): number {
  let x = i;
  for (let k = 0; k < 20; k++) x = (x * 31 + k) % 1_000_003;
  return x;
}

/** Cost per span of `withSpan` on the hot path: traced loop vs the same loop untraced. */
export const benchmark: Benchmark = {
  name: 'with-span',
  description:
    'withSpan per-span cost: traced vs untraced loop, export to the memory store included',
  async run({ rounds }) {
    const tracker = createTracker({
      store: memoryStore(),
      logger: silentLogger,
      handleExitSignals: false,
    });
    let sink = 0;
    const results = await sideBySide(
      [
        {
          name: 'untraced',
          round: () => {
            for (let i = 0; i < SPANS_PER_ROUND; i++) sink += work(i);
            return SPANS_PER_ROUND;
          },
        },
        {
          name: 'traced (child spans, hot path only)',
          round: () => {
            tracker.withSpan({ name: 'root' }, () => {
              for (let i = 0; i < SPANS_PER_ROUND - 1; i++)
                sink += tracker.withSpan({ name: 'step' }, () => work(i));
            });
            return SPANS_PER_ROUND;
          },
        },
        {
          name: 'traced (child spans + flush to store)',
          round: async () => {
            tracker.withSpan({ name: 'root' }, () => {
              for (let i = 0; i < SPANS_PER_ROUND - 1; i++)
                sink += tracker.withSpan({ name: 'step' }, () => work(i));
            });
            await tracker.flushTraces();
            return SPANS_PER_ROUND;
          },
        },
        {
          name: 'traced (one trace per call + flush)',
          round: async () => {
            for (let i = 0; i < SPANS_PER_ROUND; i++)
              sink += tracker.withSpan({ name: 'call' }, () => work(i));
            await tracker.flushTraces();
            return SPANS_PER_ROUND;
          },
        },
      ],
      rounds,
    );
    await tracker.flushTraces();
    if (sink === 42) console.log('');
    const base = results[0]!.medianNsPerOp;
    const figures: Record<string, number> = {};
    for (const r of results.slice(1)) {
      figures[`${r.variant}: µs per span over untraced`] = (r.medianNsPerOp - base) / 1000;
      figures[`${r.variant}: ratio to untraced`] = r.medianNsPerOp / base;
    }
    return { results, figures, notes: ['target: ≤ 10 µs per span'] };
  },
};
