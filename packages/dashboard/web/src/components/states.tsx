import type { ComponentChildren } from 'preact';
import { ApiError } from '../api.js';

export function Loading({ label = 'Loading…' }: { label?: string }) {
  return (
    <div class="state state-loading" role="status" aria-live="polite">
      <span class="spinner" aria-hidden="true" />
      {label}
    </div>
  );
}

/** Placeholder rows while a table's first page loads. */
export function SkeletonRows({ rows, columns }: { rows: number; columns: number }) {
  return (
    <>
      {Array.from({ length: rows }, (_, r) => (
        <tr class="skeleton" key={r}>
          {Array.from({ length: columns }, (_, c) => (
            <td key={c}>
              <span class="skeleton-bar" />
            </td>
          ))}
        </tr>
      ))}
    </>
  );
}

export function Empty({ title, children }: { title: string; children?: ComponentChildren }) {
  return (
    <div class="state state-empty">
      <div class="state-title">{title}</div>
      {children ? <div class="state-body">{children}</div> : null}
    </div>
  );
}

export function ErrorBox({ error, onRetry }: { error: Error; onRetry?: () => void }) {
  const api = error instanceof ApiError ? error : null;
  return (
    <div class="state state-error" role="alert">
      <div class="state-title">
        {api?.status === 0
          ? 'The dashboard server is not answering'
          : api?.status === 404
            ? 'Not found'
            : 'Something went wrong'}
      </div>
      <div class="state-body">
        <pre class="error-message">{error.message}</pre>
        {onRetry ? (
          <button type="button" class="button" onClick={onRetry}>
            Try again
          </button>
        ) : null}
      </div>
    </div>
  );
}

/** Shows which analytics computed a page's figures, and whether a scan stopped short. */
export function CoverageNote({
  analytics,
  coverage,
}: {
  analytics: 'sql' | 'scan';
  coverage: { traces: number; complete: boolean };
}) {
  return (
    <span
      class={`coverage ${coverage.complete ? '' : 'coverage-partial'}`}
      title={
        analytics === 'sql'
          ? 'Computed by SQL over every matching trace'
          : 'Computed by paging through the store'
      }
    >
      {analytics === 'sql' ? 'SQL' : 'scan'} ·{' '}
      {coverage.complete
        ? `${coverage.traces.toLocaleString('en-US')} trace${coverage.traces === 1 ? '' : 's'}`
        : `newest ${coverage.traces.toLocaleString('en-US')} traces only`}
    </span>
  );
}
