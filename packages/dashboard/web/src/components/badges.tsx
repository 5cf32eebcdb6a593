export function StatusBadge({ state }: { state: string }) {
  const cls = state === 'OK' ? 'ok' : state === 'ERROR' ? 'error' : 'pending';
  const label =
    state === 'IN_PROGRESS'
      ? 'Running'
      : state === 'OK'
        ? 'OK'
        : state === 'ERROR'
          ? 'Error'
          : state;
  return <span class={`badge badge-${cls}`}>{label}</span>;
}

/** A run's status in MLflow's words (FINISHED, RUNNING, SCHEDULED, FAILED, KILLED). */
export function RunStatusBadge({ status }: { status: string }) {
  const cls =
    status === 'FINISHED' ? 'ok' : status === 'FAILED' || status === 'KILLED' ? 'error' : 'pending';
  return <span class={`badge badge-${cls}`}>{status}</span>;
}

/** Span type with a colour per family (models, tools, retrieval, the rest). */
export function TypeBadge({ type }: { type: string }) {
  const family =
    type === 'CHAT_MODEL' || type === 'LLM' || type === 'EMBEDDING'
      ? 'model'
      : type === 'TOOL'
        ? 'tool'
        : type === 'RETRIEVER' || type === 'RERANKER'
          ? 'retrieval'
          : type === 'AGENT'
            ? 'agent'
            : 'other';
  return <span class={`type type-${family}`}>{type}</span>;
}

export function Tags({ tags }: { tags: Record<string, string> }) {
  const entries = Object.entries(tags);
  if (entries.length === 0) return null;
  return (
    <span class="tags">
      {entries.map(([k, v]) => (
        <span class="tag" key={k} title={`${k} = ${v}`}>
          <span class="tag-key">{k}</span>
          {v !== '' ? <span class="tag-value">{v}</span> : null}
        </span>
      ))}
    </span>
  );
}
