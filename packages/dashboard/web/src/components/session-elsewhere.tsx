import { useEffect, useRef } from 'preact/hooks';
import type { TracesResponse } from '../../../src/api/types.js';
import { getJson } from '../api.js';
import { useApp } from '../app-context.js';
import { useAsync } from '../hooks.js';
import { href, navigate } from '../router.js';
import { Empty, ErrorBox, Loading } from './states.js';

/*
 * A session's page looks in the header's experiment, and a session URL need not say which one
 * it belongs to (a pasted or bookmarked `#/sessions/<id>`). When the selected experiment has no
 * trace of the session, the page asks every experiment which hold it: with one, it switches
 * there (once: a later pick in the header is the user's); with several, it says which to pick.
 * Either way the session's URL then names the experiment (`?experiment=`), so it can be shared.
 */

/** Traces read to find a session's experiments (newest first: the active ones first). */
const LOOKUP_TRACES = 100;

/** A value quoted for an MLflow filter string (as the server quotes it). */
function quote(value: string): string {
  return `'${value.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
}

/** The experiments, other than `emptyIn`, holding traces of `session`; null: not asked. */
function useSessionExperiments(session: string, emptyIn: string | null) {
  const found = useAsync(
    async (signal) => {
      if (emptyIn === null) return null;
      const page = await getJson<TracesResponse>(
        'traces',
        {
          filter: `metadata.\`mlflow.trace.session\` = ${quote(session)}`,
          pageSize: LOOKUP_TRACES,
        },
        signal,
      );
      const ids = [...new Set(page.traces.map((t) => t.experimentId))];
      return { session, emptyIn, ids: ids.filter((id) => id !== emptyIn) };
    },
    [session, emptyIn],
  );
  const current = found.data?.session === session && found.data.emptyIn === emptyIn;
  return { ids: current ? found.data!.ids : undefined, error: found.error, reload: found.reload };
}

/** What a session's page shows when the selected experiment has none of its traces. */
export function SessionElsewhere({ session }: { session: string }) {
  const { experiment, experiments } = useApp();
  const current = experiment?.experimentId ?? null;
  const { ids, error, reload } = useSessionExperiments(session, current);
  const followed = useRef<string | null>(null);
  const link = (id: string) => href(['sessions', session], { experiment: id });
  const only = ids?.length === 1 ? ids[0]! : null;
  useEffect(() => {
    if (only && followed.current !== session) {
      followed.current = session;
      navigate(link(only), { replace: true });
    }
  }, [only, session]);

  if (error) return <ErrorBox error={error} onRetry={reload} />;
  if (!ids || (only && followed.current !== session))
    return <Loading label="Looking for this session in the other experiments…" />;
  if (ids.length === 0)
    return (
      <Empty title="No traces in this session">
        No experiment holds a trace with the session <code>{session}</code>.
      </Empty>
    );
  const name = (id: string) => experiments.find((e) => e.experimentId === id)?.name ?? id;
  return (
    <Empty
      title={`No traces of this session in ${experiment ? experiment.name : 'this experiment'}`}
    >
      Its traces are in {ids.length === 1 ? 'the experiment' : 'the experiments'}{' '}
      {ids.map((id, i) => (
        <span key={id}>
          {i > 0 ? ', ' : ''}
          <a class="button" href={link(id)}>
            {name(id)}
          </a>
        </span>
      ))}
      {ids.length > 1 ? ': pick one to show them.' : '.'}
    </Empty>
  );
}
