import { describe, expect, it } from 'vitest';
import { assessmentsSpec } from './assessments.spec.js';
import { experimentsSpec } from './experiments.spec.js';
import { runsSpec } from './runs.spec.js';
import { searchTracesSpec } from './search-traces.spec.js';
import type { ConformanceTarget } from './target.js';
import { traceWriterSpec } from './trace-writer.spec.js';
import { tracesSpec } from './traces.spec.js';

/**
 * The TrackingStore conformance suite: every store runs it from a vitest file with its own
 * initializer. One spec per capability; specs a store declares it cannot do are skipped by name,
 * and the spec of an optional behaviour (pipelinedTraceWrites) runs for the stores that declare it.
 * `traceWriterSpec` checks the write port alone; a wrapper of trace writes runs it on its own.
 */
export function describeTrackingStore(target: ConformanceTarget): void {
  describe(`${target.name} store: declared capabilities`, () => {
    it('match what the target says', async () => {
      const store = await target.create();
      try {
        expect(store.capabilities).toEqual(target.capabilities);
      } finally {
        await (target.destroy ? target.destroy(store) : store.close());
      }
    }, 600_000);
  });
  experimentsSpec(target);
  runsSpec(target);
  tracesSpec(target);
  traceWriterSpec(target);
  searchTracesSpec(target);
  assessmentsSpec(target);
}

export {
  byStart,
  makeSpan,
  makeTraceInfo,
  makeTraceTree,
  newTraceId,
  uniqueName,
} from './fixtures.js';
export type { ConformanceTarget } from './target.js';
export type { TraceWriterTarget } from './trace-writer.spec.js';
export {
  assessmentsSpec,
  experimentsSpec,
  runsSpec,
  searchTracesSpec,
  tracesSpec,
  traceWriterSpec,
};
