import type { TurnToolCall } from '../../../src/api/types.js';
import { href } from '../router.js';
import '../tool-calls.css';

/** The tools a session turn called, in order, each linking to its span; failed ones marked. */
export function TurnTools({ traceId, tools }: { traceId: string; tools: TurnToolCall[] | null }) {
  if (!tools || tools.length === 0) return null;
  return (
    <ul class="turn-tools" aria-label="Tool calls">
      {tools.map((t) => (
        <li key={t.spanId}>
          <a
            class={`turn-tool${t.error ? ' failed' : ''}`}
            href={href(['traces', traceId], { view: 'tree', span: t.spanId })}
            title={t.error ?? `${t.name}: open its span`}
          >
            <span aria-hidden="true">ƒ</span>
            {t.name}
            {t.error ? (
              <span class="error-mark">
                !<span class="sr-only"> (failed)</span>
              </span>
            ) : null}
          </a>
        </li>
      ))}
    </ul>
  );
}
