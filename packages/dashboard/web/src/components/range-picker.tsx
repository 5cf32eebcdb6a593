import { RANGES, type RangeKey } from '../app-context.js';

const LABELS: Record<RangeKey, string> = {
  '1h': 'Last hour',
  '24h': '24 hours',
  '7d': '7 days',
  '30d': '30 days',
  all: 'All time',
};

export function RangePicker({
  value,
  onChange,
}: {
  value: RangeKey;
  onChange: (key: RangeKey) => void;
}) {
  return (
    <fieldset class="segmented">
      <legend class="sr-only">Time range</legend>
      {RANGES.map((key) => (
        <button
          key={key}
          type="button"
          class={key === value ? 'active' : ''}
          aria-pressed={key === value}
          onClick={() => onChange(key)}
        >
          {LABELS[key]}
        </button>
      ))}
    </fieldset>
  );
}
