import { useState } from 'preact/hooks';
import { RANGES, type RangeKey } from '../app-context.js';
import type { RangeParams, RouteRange } from '../range.js';
import '../range-picker.css';
import { CustomRange } from './custom-range.js';

const LABELS: Record<RangeKey, string> = {
  '1h': 'Last hour',
  '24h': '24 hours',
  '7d': '7 days',
  '30d': '30 days',
  all: 'All time',
};

/** Preset ranges, and "Custom" opening a start/end form; `onChange` gets the URL parameters. */
export function RangePicker({
  value,
  onChange,
}: {
  value: RouteRange;
  onChange: (params: RangeParams) => void;
}) {
  const custom = value.key === 'custom';
  const [open, setOpen] = useState(custom);
  return (
    <div class="range-picker">
      <fieldset class="segmented">
        <legend class="sr-only">Time range</legend>
        {RANGES.map((key) => (
          <button
            key={key}
            type="button"
            class={key === value.key ? 'active' : ''}
            aria-pressed={key === value.key}
            onClick={() => {
              setOpen(false);
              onChange({ range: key, from: null, to: null });
            }}
          >
            {LABELS[key]}
          </button>
        ))}
        <button
          type="button"
          class={custom ? 'active' : ''}
          aria-pressed={custom}
          aria-expanded={open || custom}
          onClick={() => setOpen(!open || custom)}
        >
          Custom…
        </button>
      </fieldset>
      {open || custom ? (
        <CustomRange
          key={`${value.from}-${value.to}`}
          from={value.from}
          to={value.to}
          error={value.error}
          onApply={onChange}
        />
      ) : null}
    </div>
  );
}
