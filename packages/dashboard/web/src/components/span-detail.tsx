import { useEffect, useMemo, useState } from 'preact/hooks';
import type { SpanView } from '../../../src/api/types.js';
import { chatMessages, parseMaybeJson } from '../chat.js';
import { formatDuration, formatNumber, formatUsd } from '../format.js';
import { href } from '../router.js';
import { StatusBadge, TypeBadge } from './badges.js';
import { ChatView } from './chat-view.js';
import { JsonView } from './json-view.js';
import { Empty } from './states.js';

type Tab = 'chat' | 'call' | 'io' | 'attributes' | 'events' | 'links';

function exceptionOf(span: SpanView) {
  const event = span.events.find((e) => e.name === 'exception');
  if (!event) return null;
  const a = event.attributes;
  return {
    type: String(a['exception.type'] ?? 'Error'),
    message: String(a['exception.message'] ?? ''),
    stack: typeof a['exception.stacktrace'] === 'string' ? a['exception.stacktrace'] : null,
  };
}

/** One span: type, timing, status, then chat / tool call / inputs and outputs / attributes / events. */
export function SpanDetail({ span }: { span: SpanView }) {
  const messages = useMemo(() => chatMessages(span.inputs, span.outputs), [span]);
  const isTool = span.spanType === 'TOOL';
  const tabs: { id: Tab; label: string }[] = [
    ...(messages ? [{ id: 'chat' as const, label: 'Chat' }] : []),
    ...(isTool ? [{ id: 'call' as const, label: 'Tool call' }] : []),
    { id: 'io', label: 'Inputs / outputs' },
    { id: 'attributes', label: `Attributes (${Object.keys(span.attributes).length})` },
    { id: 'events', label: `Events (${span.events.length})` },
    ...(span.links.length > 0
      ? [{ id: 'links' as const, label: `Links (${span.links.length})` }]
      : []),
  ];
  const first = tabs[0]!.id;
  const [tab, setTab] = useState<Tab>(first);
  // A newly selected span opens on its most telling tab.
  useEffect(() => setTab(first), [span.spanId, first]);
  const exception = span.status.code === 'ERROR' ? exceptionOf(span) : null;

  return (
    <div class="span-detail">
      <div class="span-detail-head">
        <div class="span-title">
          <TypeBadge type={span.spanType} />
          <h2>{span.name}</h2>
          <StatusBadge state={span.status.code === 'UNSET' ? 'OK' : span.status.code} />
        </div>
        <dl class="facts">
          <div>
            <dt>Duration</dt>
            <dd>{formatDuration(span.durationMs)}</dd>
          </div>
          <div>
            <dt>Starts at</dt>
            <dd>+{formatDuration(span.offsetMs)}</dd>
          </div>
          {span.model ? (
            <div>
              <dt>Model</dt>
              <dd>{span.model}</dd>
            </div>
          ) : null}
          {span.provider ? (
            <div>
              <dt>Provider</dt>
              <dd>{span.provider}</dd>
            </div>
          ) : null}
          {span.tokens ? (
            <div>
              <dt>Tokens</dt>
              <dd>
                {formatNumber(span.tokens.input)} in · {formatNumber(span.tokens.output)} out
                {span.tokens.cacheRead ? ` · ${formatNumber(span.tokens.cacheRead)} cached` : ''}
              </dd>
            </div>
          ) : null}
          {span.cost ? (
            <div class="span-cost">
              <dt>Cost</dt>
              <dd
                title={`${formatUsd(span.cost.input)} input · ${formatUsd(span.cost.output)} output`}
              >
                {formatUsd(span.cost.total)}{' '}
                <span class="muted small">
                  ({formatUsd(span.cost.input)} in · {formatUsd(span.cost.output)} out)
                </span>
              </dd>
            </div>
          ) : span.model && span.tokens ? (
            <div class="span-cost">
              <dt>Cost</dt>
              <dd class="muted" title={`No known price for ${span.model}`}>
                —
              </dd>
            </div>
          ) : null}
          <div>
            <dt>Span id</dt>
            <dd class="mono small">{span.spanId}</dd>
          </div>
        </dl>
      </div>
      {span.status.code === 'ERROR' ? (
        <div class="exception" role="alert">
          <div class="exception-title">
            {exception
              ? `${exception.type}: ${exception.message}`
              : (span.status.message ?? 'Error')}
          </div>
          {exception?.stack ? (
            <details>
              <summary>Stack trace</summary>
              <pre>{exception.stack}</pre>
            </details>
          ) : null}
        </div>
      ) : null}
      <div class="tabs" role="tablist">
        {tabs.map((t) => (
          <button
            key={t.id}
            type="button"
            role="tab"
            aria-selected={tab === t.id}
            class={`tab${tab === t.id ? ' active' : ''}`}
            onClick={() => setTab(t.id)}
          >
            {t.label}
          </button>
        ))}
      </div>
      <div class="tab-panel" role="tabpanel">
        {tab === 'chat' && messages ? <ChatView messages={messages} /> : null}
        {tab === 'call' ? <ToolCall span={span} /> : null}
        {tab === 'io' ? (
          <div class="io">
            <h3>Inputs</h3>
            {'inputs' in span ? (
              <JsonView value={span.inputs} />
            ) : (
              <p class="muted">Not recorded</p>
            )}
            <h3>Outputs</h3>
            {'outputs' in span ? (
              <JsonView value={span.outputs} />
            ) : (
              <p class="muted">Not recorded</p>
            )}
          </div>
        ) : null}
        {tab === 'attributes' ? (
          Object.keys(span.attributes).length > 0 ? (
            <JsonView value={span.attributes} expandDepth={1} />
          ) : (
            <Empty title="No other attributes" />
          )
        ) : null}
        {tab === 'events' ? (
          span.events.length > 0 ? (
            <ul class="events">
              {span.events.map((e, i) => (
                <li key={i} class={e.name === 'exception' ? 'event-exception' : ''}>
                  <div class="event-head">
                    <strong>{e.name}</strong>
                    <span class="muted">+{formatDuration(e.offsetMs)}</span>
                  </div>
                  <JsonView value={e.attributes} expandDepth={1} />
                </li>
              ))}
            </ul>
          ) : (
            <Empty title="No events" />
          )
        ) : null}
        {tab === 'links' ? (
          <ul class="events span-links">
            {span.links.map((l) => (
              <li key={`${l.traceId}/${l.spanId}`}>
                <div class="event-head">
                  <a href={href(['traces', l.traceId], { span: l.spanId })}>
                    {l.traceId} · span {l.spanId}
                  </a>
                </div>
                {l.attributes ? <JsonView value={l.attributes} expandDepth={1} /> : null}
              </li>
            ))}
          </ul>
        ) : null}
      </div>
    </div>
  );
}

function ToolCall({ span }: { span: SpanView }) {
  const failed = span.status.code === 'ERROR';
  return (
    <div class="tool-view">
      <div class="tool-call">
        <div class="tool-call-head">
          <span class="tool-call-icon" aria-hidden="true">
            ƒ
          </span>
          <code>{span.name}</code> arguments
        </div>
        {'inputs' in span ? (
          <JsonView value={parseMaybeJson(span.inputs)} expandDepth={3} />
        ) : (
          <p class="muted">Not recorded</p>
        )}
      </div>
      <div class={`tool-result${failed ? ' failed' : ''}`}>
        <div class="tool-call-head">{failed ? 'Failed' : 'Result'}</div>
        {failed ? (
          <pre class="error-message">{span.status.message ?? 'error'}</pre>
        ) : 'outputs' in span ? (
          <JsonView value={parseMaybeJson(span.outputs)} expandDepth={3} />
        ) : (
          <p class="muted">Not recorded</p>
        )}
      </div>
    </div>
  );
}
