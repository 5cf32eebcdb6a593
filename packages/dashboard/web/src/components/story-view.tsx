import { useMemo } from 'preact/hooks';
import type { SpanView } from '../../../src/api/types.js';
import { parseMaybeJson } from '../chat.js';
import { formatDuration, formatNumber } from '../format.js';
import { href } from '../router.js';
import {
  deriveStory,
  type ModelStep,
  type StoryToolCall,
  type ToolRun,
  type ToolStep,
} from '../story.js';
import { TypeBadge } from './badges.js';
import { ChatView } from './chat-view.js';
import { JsonView } from './json-view.js';
import '../story.css';

type TreeLink = (spanId: string) => string;

/** Characters under which a flat object of scalars reads best on one line. */
const INLINE_CHARS = 100;

/**
 * A value as compact as it reads: `city: "Paris", days: 1` on one line for a small flat object
 * (most tool arguments and many results), else the JSON tree, so the story fits one screen.
 */
function Value({ value }: { value: unknown }) {
  if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
    const entries = Object.entries(value);
    const flat = entries.every(([, v]) => v === null || typeof v !== 'object');
    if (entries.length > 0 && flat && JSON.stringify(value).length <= INLINE_CHARS)
      return (
        <div class="story-inline">
          {entries.map(([k, v], i) => (
            <span key={k}>
              {i > 0 ? ', ' : ''}
              <span class="json-key">{k}: </span>
              <span class={v === null ? 'json-null' : `json-${typeof v}`}>{JSON.stringify(v)}</span>
            </span>
          ))}
        </div>
      );
  }
  if (typeof value === 'string' && value.length <= INLINE_CHARS && !value.includes('\n'))
    return <div class="story-inline">{value}</div>;
  return <JsonView value={value} expandDepth={3} />;
}

/**
 * The agent's story, top to bottom: what it was asked, each model call with the tools it
 * called (arguments, then result or error), and the answer. Every call links to its span in
 * the tree, where timings, attributes and the full prompt are.
 */
export function StoryView({ traceId, spans }: { traceId: string; spans: SpanView[] }) {
  const story = useMemo(() => deriveStory(spans), [spans]);
  const tree: TreeLink = (spanId) => href(['traces', traceId], { view: 'tree', span: spanId });
  if (spans.length === 0) return <p class="muted">This trace has no spans (yet).</p>;
  const { answer, failure } = story;
  return (
    <div class="story">
      {failure ? (
        <div class="exception story-failure" role="alert">
          <div class="exception-title">{failure.error}</div>
          <a href={tree(failure.spanId)}>Failed in {failure.name}: open the span</a>
        </div>
      ) : null}
      <section class="story-section story-conversation" aria-label="Conversation">
        <h3 class="story-label">Asked</h3>
        {story.conversation ? (
          <ChatView messages={story.conversation} />
        ) : 'input' in story ? (
          <Value value={story.input} />
        ) : (
          <p class="muted">No input recorded.</p>
        )}
      </section>
      {story.steps.length > 0 ? (
        <ol class="story-steps" aria-label="Model and tool calls">
          {story.steps.map((step) =>
            step.kind === 'model' ? (
              <ModelTurn key={step.spanId} step={step} tree={tree} />
            ) : (
              <ToolAlone key={step.run.spanId} step={step} tree={tree} />
            ),
          )}
        </ol>
      ) : null}
      <section class="story-section story-answer" aria-label="Answer">
        <h3 class="story-label">
          Answer
          {answer ? (
            <a class="model-call-link" href={tree(answer.spanId)}>
              {answer.fromModel ? 'model call' : 'root span'}
            </a>
          ) : null}
        </h3>
        {!answer ? (
          <p class="muted">{failure ? 'None: the trace failed.' : 'No answer recorded.'}</p>
        ) : answer.text !== null ? (
          <div class="story-answer-text">{answer.text}</div>
        ) : (
          <Value value={answer.value} />
        )}
      </section>
    </div>
  );
}

function ModelTurn({ step, tree }: { step: ModelStep; tree: TreeLink }) {
  const facts = [
    step.model,
    step.tokens
      ? `${formatNumber(step.tokens.input)} in · ${formatNumber(step.tokens.output)} out`
      : null,
    formatDuration(step.durationMs),
  ].filter((f) => f !== null);
  return (
    <li class={`story-step story-model${step.error ? ' failed' : ''}`} data-span-id={step.spanId}>
      <div class="story-step-head">
        <TypeBadge type={step.spanType} />
        <a
          class="model-call-link"
          href={tree(step.spanId)}
          title="This model call in the span tree (its full prompt, attributes)"
        >
          {step.name}
        </a>
        <span class="muted small">{facts.join(' · ')}</span>
      </div>
      {step.prompt !== undefined ? (
        <details class="story-prompt">
          <summary>Prompt</summary>
          <JsonView value={step.prompt} expandDepth={2} />
        </details>
      ) : null}
      {step.text !== null ? <div class="story-text">{step.text}</div> : null}
      {step.output !== undefined ? <JsonView value={step.output} expandDepth={2} /> : null}
      {step.error ? <pre class="error-message">{step.error}</pre> : null}
      {step.toolCalls.map((c, i) => (
        <ToolCallCard key={c.id ?? i} call={c} modelName={step.name} tree={tree} />
      ))}
    </li>
  );
}

function ToolCallCard({
  call,
  modelName,
  tree,
}: {
  call: StoryToolCall;
  modelName: string;
  tree: TreeLink;
}) {
  // The name opens the run that counted: the last one when a retry policy ran it again.
  const last = call.runs[call.runs.length - 1];
  return (
    <div
      class={`story-tool-call${last?.error ? ' failed' : ''}`}
      data-tool-call-id={call.id ?? undefined}
    >
      <div class="tool-call-head">
        <span class="tool-call-icon" aria-hidden="true">
          ƒ
        </span>
        {last ? (
          <a class="tool-call-link" href={tree(last.spanId)} title="This tool call's span">
            <code>{call.name}</code>
          </a>
        ) : (
          <code>{call.name}</code>
        )}
        {call.id ? <span class="chat-meta">{call.id}</span> : null}
        <a class="issued-by" href={tree(call.modelSpanId)} title="The model call that asked for it">
          asked by {modelName}
        </a>
      </div>
      <div class="story-args">
        <Value value={call.arguments} />
      </div>
      {call.runs.map((run, i) => (
        <RunResult
          key={run.spanId}
          run={run}
          attempt={call.runs.length > 1 ? i + 1 : null}
          tree={tree}
        />
      ))}
      {call.runs.length > 0 ? null : call.reply !== null ? (
        <div class="tool-result">
          <div class="tool-call-head">
            Result <span class="muted small">as the model received it (no tool span)</span>
          </div>
          <Value value={parseMaybeJson(call.reply)} />
        </div>
      ) : (
        <p class="muted small">No tool span ran this call.</p>
      )}
    </div>
  );
}

function RunResult({
  run,
  attempt,
  tree,
}: {
  run: ToolRun;
  attempt: number | null;
  tree: TreeLink;
}) {
  return (
    <div class={`tool-result${run.error ? ' failed' : ''}`}>
      <div class="tool-call-head">
        {run.error ? 'Failed' : 'Result'}
        {attempt ? ` (attempt ${attempt})` : ''}
        <span class="muted small">{formatDuration(run.durationMs)}</span>
        <a class="small run-link" href={tree(run.spanId)}>
          span
        </a>
      </div>
      {run.error ? (
        <pre class="error-message">{run.error}</pre>
      ) : 'result' in run ? (
        <Value value={run.result} />
      ) : (
        <p class="muted small">Not recorded</p>
      )}
    </div>
  );
}

function ToolAlone({ step, tree }: { step: ToolStep; tree: TreeLink }) {
  return (
    <li
      class={`story-step story-tool${step.run.error ? ' failed' : ''}`}
      data-span-id={step.run.spanId}
    >
      <div class="story-step-head">
        <TypeBadge type="TOOL" />
        <a class="tool-call-link" href={tree(step.run.spanId)} title="This tool call's span">
          <code>{step.run.name}</code>
        </a>
      </div>
      {step.arguments !== undefined ? (
        <div class="story-args">
          <Value value={step.arguments} />
        </div>
      ) : null}
      <RunResult run={step.run} attempt={null} tree={tree} />
    </li>
  );
}
