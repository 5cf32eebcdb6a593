import { beforeAll, describe, expect, it } from 'vitest';
import type { GraphtraceError } from '../errors.js';
import type { TraceInfo } from '../model/trace.js';
import type { SearchTracesQuery } from '../store/tracking-store.js';
import { makeSpan, makeTraceInfo, newTraceId, uniqueName } from './fixtures.js';
import { type ConformanceTarget, useStore } from './target.js';

interface Seed {
  name: string;
  state: TraceInfo['state'];
  at: number;
  ms: number;
  tags: Record<string, string>;
  metadata: Record<string, string>;
}

const T0 = 1_710_000_000_000;
const SEEDS: Seed[] = [
  {
    name: 'chat',
    state: 'OK',
    at: T0,
    ms: 120,
    tags: { env: 'prod' },
    metadata: { 'mlflow.trace.session': 's1', 'mlflow.sourceRun': 'run-a' },
  },
  {
    name: 'chat',
    state: 'ERROR',
    at: T0 + 1000,
    ms: 900,
    tags: { env: 'prod' },
    metadata: { 'mlflow.trace.session': 's1' },
  },
  {
    name: 'Chat Agent',
    state: 'OK',
    at: T0 + 2000,
    ms: 45,
    tags: { env: 'dev' },
    metadata: { 'mlflow.trace.session': 's2', 'mlflow.sourceRun': 'run-a' },
  },
  {
    name: 'summarise',
    state: 'OK',
    at: T0 + 3000,
    ms: 3000,
    tags: { env: 'dev', 'my key': 'spaced' },
    metadata: { 'mlflow.trace.user': 'ada' },
  },
  {
    name: 'summarise',
    state: 'ERROR',
    at: T0 + 4000,
    ms: 10,
    tags: {},
    metadata: { 'mlflow.trace.user': 'bob' },
  },
  { name: 'retrieve', state: 'OK', at: T0 + 5000, ms: 300, tags: { env: 'prod' }, metadata: {} },
  {
    name: 'retrieve',
    state: 'OK',
    at: T0 + 6000,
    ms: 299,
    tags: { env: 'staging' },
    metadata: { 'mlflow.trace.session': 's2' },
  },
];

export function searchTracesSpec(target: ConformanceTarget): void {
  describe(`${target.name} store: search traces`, () => {
    const store = useStore(target);
    const timeout = target.timeoutMs;
    let exp = '';
    let other = '';
    const idOf = new Map<string, number>();

    beforeAll(async () => {
      exp = (await store().getOrCreateExperiment(uniqueName('conformance-search'))).experimentId;
      other = (await store().getOrCreateExperiment(uniqueName('conformance-search-other')))
        .experimentId;
      for (const [i, s] of SEEDS.entries()) {
        const traceId = newTraceId();
        idOf.set(traceId, i);
        const start = BigInt(s.at) * 1_000_000n;
        await store().logSpans(exp, [
          makeSpan(traceId, {
            name: s.name,
            startTimeUnixNano: start,
            endTimeUnixNano: start + BigInt(s.ms) * 1_000_000n,
            status: { code: s.state === 'ERROR' ? 'ERROR' : 'OK' },
          }),
        ]);
        await store().startTrace(
          makeTraceInfo(exp, traceId, {
            requestTime: s.at,
            executionDuration: s.ms,
            state: s.state,
            tags: { ...s.tags, 'mlflow.traceName': s.name },
            traceMetadata: { ...s.metadata, 'mlflow.trace_schema.version': '3' },
          }),
        );
      }
      const stray = newTraceId();
      await store().startTrace(
        makeTraceInfo(other, stray, {
          requestTime: T0,
          tags: { env: 'prod', 'mlflow.traceName': 'chat' },
        }),
      );
    }, 600_000);

    const search = async (q: Omit<SearchTracesQuery, 'experimentIds'>) => {
      const res = await store().searchTraces({ experimentIds: [exp], ...q });
      return res.items.map((t) => idOf.get(t.traceId));
    };
    const expectMatches = async (filter: string, expected: number[]) => {
      expect((await search({ filter })).sort()).toEqual([...expected].sort());
    };

    it(
      "returns the experiment's traces newest first by default",
      async () => {
        expect(await search({})).toEqual([6, 5, 4, 3, 2, 1, 0]);
      },
      timeout,
    );

    it(
      'filters on attributes',
      async () => {
        await expectMatches("attributes.status = 'ERROR'", [1, 4]);
        await expectMatches("status != 'ERROR'", [0, 2, 3, 5, 6]);
        await expectMatches(`attributes.timestamp_ms > ${T0 + 4000}`, [5, 6]);
        await expectMatches(`attributes.timestamp_ms >= ${T0 + 4000}`, [4, 5, 6]);
        await expectMatches('attributes.execution_time_ms < 100', [2, 4]);
        await expectMatches('attributes.execution_time_ms <= 120', [0, 2, 4]);
        await expectMatches("attributes.name = 'summarise'", [3, 4]);
      },
      timeout,
    );

    it(
      'filters on tags and metadata, including backticked keys',
      async () => {
        await expectMatches("tags.env = 'prod'", [0, 1, 5]);
        await expectMatches("tags.env != 'prod'", [2, 3, 6]);
        await expectMatches("tags.`my key` = 'spaced'", [3]);
        await expectMatches("metadata.`mlflow.trace.session` = 's2'", [2, 6]);
        await expectMatches("metadata.`mlflow.sourceRun` = 'run-a'", [0, 2]);
      },
      timeout,
    );

    it(
      'matches LIKE case-sensitively and ILIKE case-insensitively',
      async () => {
        await expectMatches("attributes.name LIKE 'chat%'", [0, 1]);
        await expectMatches("attributes.name ILIKE 'chat%'", [0, 1, 2]);
        await expectMatches("tags.env LIKE '%o%'", [0, 1, 5]);
        await expectMatches("attributes.name LIKE 'retriev_'", [5, 6]);
      },
      timeout,
    );

    it(
      'combines conditions with AND',
      async () => {
        await expectMatches(
          "tags.env = 'prod' AND attributes.status = 'OK' AND attributes.execution_time_ms > 200",
          [5],
        );
      },
      timeout,
    );

    it(
      'orders by attributes in either direction',
      async () => {
        expect(await search({ orderBy: ['attributes.timestamp_ms ASC'] })).toEqual([
          0, 1, 2, 3, 4, 5, 6,
        ]);
        expect(await search({ orderBy: ['attributes.execution_time_ms DESC'] })).toEqual([
          3, 1, 5, 6, 0, 2, 4,
        ]);
      },
      timeout,
    );

    it(
      'pages with tokens, without gaps or repeats',
      async () => {
        const seen: (number | undefined)[] = [];
        let pageToken: string | null = null;
        let pages = 0;
        do {
          const res = await store().searchTraces({
            experimentIds: [exp],
            maxResults: 3,
            pageToken,
          });
          seen.push(...res.items.map((t) => idOf.get(t.traceId)));
          pageToken = res.nextPageToken;
          pages++;
        } while (pageToken);
        expect(pages).toBe(3);
        expect(seen).toEqual([6, 5, 4, 3, 2, 1, 0]);
      },
      timeout,
    );

    it(
      'rejects malformed filters with INVALID_FILTER and the column at fault',
      async () => {
        const err = (await store()
          .searchTraces({
            experimentIds: [exp],
            filter: "attributes.status = 'OK' AND tags.env ~ 'x'",
          })
          .catch((e: unknown) => e)) as GraphtraceError & { column?: number };
        expect(err.code).toBe('INVALID_FILTER');
        expect(err.message).toMatch(/column 39/);
      },
      timeout,
    );

    it(
      'rejects an unknown attribute with a suggestion',
      async () => {
        const err = (await store()
          .searchTraces({ experimentIds: [exp], filter: 'attributes.timestmp_ms > 5' })
          .catch((e: unknown) => e)) as GraphtraceError;
        expect(err.code).toBe('INVALID_FILTER');
        expect(err.message).toMatch(/timestamp_ms/);
      },
      timeout,
    );

    it(
      'treats filter text as data, never as SQL',
      async () => {
        await expectMatches("tags.env = 'x\\' OR \\'1\\'=\\'1'", []);
        await expectMatches("tags.env = 'prod\\' --'", []);
        const err = (await store()
          .searchTraces({ experimentIds: [exp], filter: "tags.env = 'prod'' OR 1=1 --'" })
          .catch((e: unknown) => e)) as GraphtraceError;
        expect(err.code).toBe('INVALID_FILTER');
      },
      timeout,
    );
  });
}
