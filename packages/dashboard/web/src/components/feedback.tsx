import { useState } from 'preact/hooks';
import type { AssessmentView, CreateAssessmentResponse } from '../../../src/api/types.js';
import { ApiError, postJson } from '../api.js';
import { formatAgo, formatDateTime } from '../format.js';
import { ThumbIcon } from './thumb-icon.js';

export function AssessmentValue({ a }: { a: AssessmentView }) {
  if (a.error)
    return <span class="value-error">error: {a.error.errorMessage ?? a.error.errorCode}</span>;
  if (a.value === true)
    return (
      <span class="thumb up">
        <ThumbIcon up /> yes
      </span>
    );
  if (a.value === false)
    return (
      <span class="thumb down">
        <ThumbIcon up={false} /> no
      </span>
    );
  if (typeof a.value === 'number') return <span class="score">{a.value}</span>;
  if (typeof a.value === 'string') return <span class="label">{a.value}</span>;
  return <code class="small">{JSON.stringify(a.value)}</code>;
}

/**
 * The trace's assessments and a form to add feedback (thumbs or a score, with a rationale),
 * about the whole trace or the selected span; it is stored as an MLflow assessment.
 */
export function FeedbackPanel({
  traceId,
  assessments,
  selectedSpan,
  canAssess,
  onAdded,
}: {
  traceId: string;
  assessments: AssessmentView[];
  selectedSpan: { spanId: string; name: string } | null;
  canAssess: boolean;
  onAdded: (a: AssessmentView) => void;
}) {
  const [mode, setMode] = useState<'thumbs' | 'score'>('thumbs');
  const [thumb, setThumb] = useState<boolean | null>(null);
  const [score, setScore] = useState('');
  const [name, setName] = useState('user_feedback');
  const [rationale, setRationale] = useState('');
  const [aboutSpan, setAboutSpan] = useState(false);
  const [saving, setSaving] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [saved, setSaved] = useState<string | null>(null);

  const value = mode === 'thumbs' ? thumb : score.trim() === '' ? null : Number(score);
  const valid = value !== null && !(typeof value === 'number' && !Number.isFinite(value));

  const submit = async (e: Event) => {
    e.preventDefault();
    if (!valid) return;
    setSaving(true);
    setError(null);
    setSaved(null);
    try {
      const r = await postJson<CreateAssessmentResponse>(
        `traces/${encodeURIComponent(traceId)}/assessments`,
        {
          name: name.trim() || 'user_feedback',
          value,
          ...(rationale.trim() ? { rationale: rationale.trim() } : {}),
          ...(aboutSpan && selectedSpan ? { spanId: selectedSpan.spanId } : {}),
        },
      );
      onAdded(r.assessment);
      setSaved(r.assessment.assessmentId);
      setThumb(null);
      setScore('');
      setRationale('');
      setAboutSpan(false);
    } catch (err) {
      setError(err instanceof ApiError ? err.message : String(err));
    } finally {
      setSaving(false);
    }
  };

  return (
    <section class="panel feedback" aria-labelledby="feedback-title">
      <h2 id="feedback-title">Feedback</h2>
      {assessments.length === 0 ? (
        <p class="muted">No feedback or expectations yet.</p>
      ) : (
        <ul class="assessments">
          {assessments.map((a) => (
            <li key={a.assessmentId} class="assessment" data-assessment-id={a.assessmentId}>
              <div class="assessment-head">
                <strong>{a.name}</strong>
                <span class={`kind kind-${a.kind}`}>{a.kind}</span>
                <AssessmentValue a={a} />
              </div>
              {a.rationale ? <div class="rationale">{a.rationale}</div> : null}
              <div class="sub" title={formatDateTime(a.createTime)}>
                {a.source.sourceType.toLowerCase().replace('_', ' ')} {a.source.sourceId} ·{' '}
                {formatAgo(a.createTime)}
                {a.spanId ? ` · span ${a.spanId}` : ''}
              </div>
            </li>
          ))}
        </ul>
      )}
      {canAssess ? (
        <form class="feedback-form" onSubmit={submit}>
          <fieldset class="segmented small">
            <legend class="sr-only">Feedback kind</legend>
            <button
              type="button"
              class={mode === 'thumbs' ? 'active' : ''}
              aria-pressed={mode === 'thumbs'}
              onClick={() => setMode('thumbs')}
            >
              Thumbs
            </button>
            <button
              type="button"
              class={mode === 'score' ? 'active' : ''}
              aria-pressed={mode === 'score'}
              onClick={() => setMode('score')}
            >
              Score
            </button>
          </fieldset>
          {mode === 'thumbs' ? (
            <fieldset class="thumbs">
              <legend class="sr-only">Thumbs up or down</legend>
              <button
                type="button"
                class={`thumb-button${thumb === true ? ' active up' : ''}`}
                aria-pressed={thumb === true}
                aria-label="Thumbs up"
                onClick={() => setThumb(thumb === true ? null : true)}
              >
                <ThumbIcon up size={20} />
              </button>
              <button
                type="button"
                class={`thumb-button${thumb === false ? ' active down' : ''}`}
                aria-pressed={thumb === false}
                aria-label="Thumbs down"
                onClick={() => setThumb(thumb === false ? null : false)}
              >
                <ThumbIcon up={false} size={20} />
              </button>
            </fieldset>
          ) : (
            <label class="field">
              Score
              <input
                type="number"
                name="score"
                step="any"
                placeholder="e.g. 4 (of 5) or 0.8"
                value={score}
                onInput={(e) => setScore((e.target as HTMLInputElement).value)}
              />
            </label>
          )}
          <label class="field">
            Name
            <input
              type="text"
              name="name"
              value={name}
              maxLength={250}
              onInput={(e) => setName((e.target as HTMLInputElement).value)}
            />
          </label>
          <label class="field">
            Rationale
            <textarea
              name="rationale"
              rows={2}
              placeholder="Why? (optional)"
              value={rationale}
              onInput={(e) => setRationale((e.target as HTMLTextAreaElement).value)}
            />
          </label>
          {selectedSpan ? (
            <label class="check">
              <input
                type="checkbox"
                checked={aboutSpan}
                onChange={(e) => setAboutSpan((e.target as HTMLInputElement).checked)}
              />
              About the selected span only ({selectedSpan.name})
            </label>
          ) : null}
          <div class="form-actions">
            <button type="submit" class="button primary" disabled={!valid || saving}>
              {saving ? 'Saving…' : 'Add feedback'}
            </button>
            {saved ? (
              <span class="saved" role="status">
                Saved as {saved}
              </span>
            ) : null}
          </div>
          {error ? (
            <div class="form-error" role="alert">
              {error}
            </div>
          ) : null}
        </form>
      ) : (
        <p class="muted">This store does not record assessments.</p>
      )}
    </section>
  );
}
