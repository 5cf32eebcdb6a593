import { describe, expect, it } from 'vitest';
import { uniqueName } from './fixtures.js';
import { type ConformanceTarget, useStore } from './target.js';

export function experimentsSpec(target: ConformanceTarget): void {
  describe(`${target.name} store: experiments`, () => {
    const store = useStore(target);
    const timeout = target.timeoutMs;

    it(
      'has MLflow\'s Default experiment with id "0"',
      async () => {
        const e = await store().getExperiment('0');
        expect(e?.name).toBe('Default');
        expect(e?.lifecycleStage).toBe('active');
      },
      timeout,
    );

    it(
      'creates an experiment by name once and returns it afterwards',
      async () => {
        const name = uniqueName('conformance-exp');
        const a = await store().getOrCreateExperiment(name);
        const b = await store().getOrCreateExperiment(name);
        expect(a.experimentId).toMatch(/^\d+$/);
        expect(b.experimentId).toBe(a.experimentId);
        expect(a.name).toBe(name);
        expect(a.lifecycleStage).toBe('active');
        expect(a.artifactLocation.length).toBeGreaterThan(0);
        expect((await store().getExperiment(a.experimentId))?.name).toBe(name);
        expect((await store().getExperimentByName(name))?.experimentId).toBe(a.experimentId);
      },
      timeout,
    );

    it(
      'returns null for experiments that do not exist',
      async () => {
        expect(await store().getExperiment('987654321')).toBeNull();
        expect(await store().getExperimentByName(uniqueName('missing'))).toBeNull();
      },
      timeout,
    );

    it(
      'lists experiments page by page',
      async () => {
        const names = [uniqueName('conformance-list'), uniqueName('conformance-list')];
        for (const n of names) await store().getOrCreateExperiment(n);
        const seen: string[] = [];
        let pageToken: string | null = null;
        let pages = 0;
        do {
          const page = await store().searchExperiments({ maxResults: 2, pageToken });
          expect(page.items.length).toBeLessThanOrEqual(2);
          seen.push(...page.items.map((e) => e.name));
          pageToken = page.nextPageToken;
          pages++;
        } while (pageToken && pages < 10_000);
        expect(new Set(seen).size).toBe(seen.length);
        for (const n of names) expect(seen).toContain(n);
      },
      timeout,
    );
  });
}
