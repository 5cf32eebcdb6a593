import { useEffect } from 'preact/hooks';
import type { ExperimentsResponse, HealthResponse } from '../../src/api/types.js';
import { getJson } from './api.js';
import { AppContext, type AppState } from './app-context.js';
import { ErrorBox, Loading } from './components/states.js';
import { experimentLabel, useExperimentChoice } from './experiment-choice.js';
import { useAsync } from './hooks.js';
import { MetricsPage } from './pages/metrics-page.js';
import { QualityPage } from './pages/quality-page.js';
import { RunPage, RunsPage } from './pages/runs-page.js';
import { SessionPage, SessionsPage } from './pages/sessions-page.js';
import { ToolsPage } from './pages/tools-page.js';
import { TracePage } from './pages/trace-page.js';
import { TracesPage } from './pages/traces-page.js';
import { href, type Route, useRoute } from './router.js';

const NAV = [
  ['traces', 'Traces'],
  ['metrics', 'Metrics'],
  ['tools', 'Tools'],
  ['sessions', 'Sessions'],
  ['quality', 'Quality'],
  ['runs', 'Runs'],
] as const;

function Page({ route }: { route: Route }) {
  const [section = 'traces', id] = route.segments;
  switch (section) {
    case 'traces':
      return id ? <TracePage traceId={id} route={route} /> : <TracesPage route={route} />;
    case 'metrics':
      return <MetricsPage route={route} />;
    case 'tools':
      return <ToolsPage route={route} />;
    case 'sessions':
      return id ? <SessionPage session={id} /> : <SessionsPage route={route} />;
    case 'quality':
      return <QualityPage route={route} />;
    case 'runs':
      return id ? <RunPage runId={id} metric={route.params.get('metric')} /> : <RunsPage />;
    default:
      return <ErrorBox error={new Error(`There is no page #/${route.segments.join('/')}.`)} />;
  }
}

export function App() {
  const route = useRoute();
  const boot = useAsync(
    (signal) =>
      Promise.all([
        getJson<HealthResponse>('health', {}, signal),
        getJson<ExperimentsResponse>('experiments', {}, signal),
      ]),
    [],
  );
  const choice = useExperimentChoice(route, boot.data?.[1]);
  const section = route.segments[0] ?? 'traces';
  useEffect(() => {
    document.title = `graphtrace · ${NAV.find(([id]) => id === section)?.[1] ?? 'dashboard'}`;
  }, [section]);

  let state: AppState | null = null;
  if (boot.data) {
    const [health, list] = boot.data;
    state = {
      health,
      experiments: list.experiments,
      experiment: choice.experiment,
      selectExperiment: choice.select,
    };
  }

  return (
    <div class="app">
      <header class="topbar">
        <a class="brand" href={href(['traces'])}>
          <span class="brand-mark" aria-hidden="true" />
          graphtrace
        </a>
        <nav class="nav" aria-label="Pages">
          {NAV.map(([id, label]) => (
            <a
              key={id}
              href={href([id])}
              class={section === id ? 'active' : ''}
              aria-current={section === id ? 'page' : undefined}
            >
              {label}
            </a>
          ))}
        </nav>
        {state ? (
          <div class="topbar-right">
            <label class="experiment-select">
              <span class="sr-only">Experiment</span>
              <select
                value={state.experiment?.experimentId ?? ''}
                title={state.experiment ? experimentLabel(state.experiment) : undefined}
                onChange={(e) => choice.pick((e.target as HTMLSelectElement).value)}
              >
                {state.experiments.map((e) => (
                  <option key={e.experimentId} value={e.experimentId}>
                    {experimentLabel(e)}
                  </option>
                ))}
              </select>
            </label>
            <span
              class="store"
              title={`${state.health.store.uri}\n${state.health.analytics.description}`}
            >
              {state.health.store.uri}
            </span>
          </div>
        ) : null}
      </header>
      <main class="main">
        {boot.error ? (
          <ErrorBox error={boot.error} onRetry={boot.reload} />
        ) : !state ? (
          <Loading label="Opening the tracking store…" />
        ) : (
          <AppContext.Provider value={state}>
            <Page route={route} />
          </AppContext.Provider>
        )}
      </main>
    </div>
  );
}
