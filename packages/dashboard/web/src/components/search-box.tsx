import { useEffect, useState } from 'preact/hooks';

/**
 * Free-text search, beside the filter box as in MLflow's trace list (its "Search traces" box):
 * the words as typed, looked for by the server in each trace's request and response; a trace
 * id finds its trace. The filter box stays MLflow's filter language, so a filter can be pasted
 * into `mlflow.search_traces()` as it is. Applied on Enter; emptying the box applies at once.
 */
export function SearchBox({ value, onApply }: { value: string; onApply: (text: string) => void }) {
  const [text, setText] = useState(value);
  useEffect(() => setText(value), [value]);
  return (
    <search class="search-box">
      <form
        onSubmit={(e) => {
          e.preventDefault();
          onApply(text.trim());
        }}
      >
        <input
          class="search-input"
          type="search"
          name="search"
          aria-label="Search request and response"
          placeholder="Search request, response or trace id"
          spellcheck={false}
          autocomplete="off"
          value={text}
          onInput={(e) => {
            const next = (e.target as HTMLInputElement).value;
            setText(next);
            if (next === '' && value !== '') onApply('');
          }}
        />
      </form>
    </search>
  );
}

/** Words rather than a filter: no comparison and no `prefix.key` (e.g. `What is`). */
export function looksLikeWords(filter: string): boolean {
  return (
    filter.trim() !== '' &&
    !/[=<>!]|\b(?:LIKE|ILIKE|IN)\b/i.test(filter) &&
    !/[A-Za-z_`]\.[A-Za-z_`]/.test(filter)
  );
}
