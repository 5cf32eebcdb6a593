import { useState } from 'preact/hooks';
import { customRangeError, type RangeParams } from '../range.js';

/** `YYYY-MM-DDTHH:mm` in local time, what `<input type="datetime-local">` holds. */
export function toLocalInput(ms: number): string {
  const d = new Date(ms);
  const p = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())}T${p(d.getHours())}:${p(d.getMinutes())}`;
}

/** ms since epoch of a datetime-local value (read as local time), or null. */
export function fromLocalInput(value: string): number | null {
  if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,3})?)?$/.test(value)) return null;
  const ms = new Date(value).getTime();
  return Number.isFinite(ms) ? ms : null;
}

/**
 * A custom time range: start and end as local date-times. Applied only when both are set and
 * the start comes first; otherwise it says what to fix and keeps the page as it was.
 */
export function CustomRange({
  from,
  to,
  error,
  onApply,
}: {
  from: number | null;
  to: number | null;
  /** A mistake in the range the page was opened with. */
  error: string | null;
  onApply: (params: RangeParams) => void;
}) {
  const now = Math.ceil(Date.now() / 60_000) * 60_000;
  const [start, setStart] = useState(toLocalInput(from ?? now - 86_400_000));
  const [end, setEnd] = useState(toLocalInput(to ?? now));
  const [problem, setProblem] = useState<string | null>(null);
  const shown = problem ?? error;
  return (
    <form
      class="custom-range"
      aria-label="Custom time range"
      onSubmit={(e) => {
        e.preventDefault();
        const f = fromLocalInput(start);
        const t = fromLocalInput(end);
        const wrong = customRangeError(f, t);
        setProblem(wrong);
        if (!wrong) onApply({ range: 'custom', from: String(f), to: String(t) });
      }}
    >
      <label>
        From
        <input
          type="datetime-local"
          name="from"
          value={start}
          aria-invalid={shown ? 'true' : 'false'}
          aria-describedby={shown ? 'range-error' : undefined}
          onInput={(e) => setStart((e.target as HTMLInputElement).value)}
        />
      </label>
      <label>
        To
        <input
          type="datetime-local"
          name="to"
          value={end}
          aria-invalid={shown ? 'true' : 'false'}
          aria-describedby={shown ? 'range-error' : undefined}
          onInput={(e) => setEnd((e.target as HTMLInputElement).value)}
        />
      </label>
      <button type="submit" class="button primary">
        Apply range
      </button>
      {shown ? (
        <p class="range-error" id="range-error" role="alert">
          {shown}
        </p>
      ) : null}
    </form>
  );
}
