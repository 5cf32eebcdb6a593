import { describe, expect, it } from 'vitest';
import { randomIds } from '../src/ids.js';

describe('randomIds', () => {
  it('makes lowercase hex ids of the right widths, distinct across pool refills', () => {
    const seen = new Set<string>();
    // 3,000 span ids and trace ids span several 4 KiB pools.
    for (let i = 0; i < 3000; i++) {
      const span = randomIds.spanId();
      const trace = randomIds.traceId();
      expect(span).toMatch(/^[0-9a-f]{16}$/);
      expect(trace).toMatch(/^[0-9a-f]{32}$/);
      expect(randomIds.runId()).toMatch(/^[0-9a-f]{32}$/);
      expect(randomIds.assessmentId()).toMatch(/^[0-9a-f]{32}$/);
      expect(seen.has(span) || seen.has(trace)).toBe(false);
      seen.add(span);
      seen.add(trace);
    }
  });
});
