import { useEffect, useState } from 'preact/hooks';
import { ApiError } from '../api.js';

const EXAMPLES = [
  "attributes.status = 'ERROR'",
  'attributes.execution_time_ms > 2000',
  "tags.env = 'prod' AND metadata.`mlflow.trace.user` = 'alice'",
  "attributes.name LIKE 'support%'",
];

/**
 * The MLflow filter box. The filter is applied on Enter; a mistake the server reports is shown
 * under the box with a caret at its column.
 */
export function FilterBox({
  value,
  onApply,
  error,
  placeholder = "Filter, e.g. attributes.status = 'ERROR' AND tags.env = 'prod'",
}: {
  value: string;
  onApply: (filter: string) => void;
  error: Error | undefined;
  placeholder?: string;
}) {
  const [text, setText] = useState(value);
  const [help, setHelp] = useState(false);
  useEffect(() => setText(value), [value]);
  const filterError =
    error instanceof ApiError && (error.param === 'filter' || error.code === 'INVALID_FILTER')
      ? error
      : null;
  const problem = filterError?.message
    .split('\n')[0]
    ?.replace(/^Invalid filter at column \d+: /, '');
  return (
    <div class="filter">
      <form
        class="filter-row"
        onSubmit={(e) => {
          e.preventDefault();
          onApply(text.trim());
        }}
      >
        <input
          class={`filter-input${filterError ? ' invalid' : ''}`}
          type="search"
          name="filter"
          aria-label="Filter (MLflow search syntax)"
          aria-invalid={filterError ? 'true' : 'false'}
          aria-describedby={filterError ? 'filter-error' : undefined}
          spellcheck={false}
          autocomplete="off"
          placeholder={placeholder}
          value={text}
          onInput={(e) => setText((e.target as HTMLInputElement).value)}
        />
        <button type="submit" class="button primary">
          Apply
        </button>
        {value ? (
          <button
            type="button"
            class="button"
            onClick={() => {
              setText('');
              onApply('');
            }}
          >
            Clear
          </button>
        ) : null}
        <button
          type="button"
          class="button ghost"
          aria-expanded={help}
          onClick={() => setHelp(!help)}
        >
          Syntax
        </button>
      </form>
      {filterError ? (
        <div class="filter-error" id="filter-error" role="alert">
          <div>
            {problem}
            {filterError.column ? <span class="muted"> (column {filterError.column})</span> : null}
          </div>
          {filterError.column ? (
            <pre class="filter-caret">
              {value}
              {'\n'}
              {' '.repeat(Math.max(0, filterError.column - 1))}^
            </pre>
          ) : null}
        </div>
      ) : null}
      {help ? (
        <div class="filter-help">
          MLflow search syntax: comparisons joined by <code>AND</code> over <code>attributes.</code>{' '}
          (status, timestamp_ms, execution_time_ms, name, run_id, trace_id), <code>tags.</code> and{' '}
          <code>metadata.</code> keys; operators{' '}
          <code>= != &lt; &gt; &lt;= &gt;= LIKE ILIKE IN</code>. Examples:
          <ul>
            {EXAMPLES.map((ex) => (
              <li key={ex}>
                <button
                  type="button"
                  class="link-button mono"
                  onClick={() => {
                    setText(ex);
                    onApply(ex);
                  }}
                >
                  {ex}
                </button>
              </li>
            ))}
          </ul>
        </div>
      ) : null}
    </div>
  );
}
