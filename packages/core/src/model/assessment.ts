/** Who produced an assessment, as MLflow's AssessmentSource. */
export type AssessmentSourceType = 'HUMAN' | 'LLM_JUDGE' | 'CODE' | 'SOURCE_TYPE_UNSPECIFIED';

export interface AssessmentSource {
  sourceType: AssessmentSourceType;
  sourceId: string;
}

export interface AssessmentError {
  errorCode: string;
  errorMessage?: string;
}

interface AssessmentBase {
  /** `a-` + 32 lowercase hex. */
  assessmentId: string;
  traceId: string;
  /** Set when the assessment is about one span rather than the whole trace. */
  spanId: string | null;
  name: string;
  source: AssessmentSource;
  rationale: string | null;
  metadata: Record<string, string>;
  runId: string | null;
  /** ms since epoch */
  createTime: number;
  lastUpdateTime: number;
  valid: boolean;
  overriddenAssessmentId: string | null;
}

/** A judgement of quality: thumbs, a score, a label; `value` is any JSON value. */
export interface Feedback extends AssessmentBase {
  kind: 'feedback';
  value: unknown;
  error: AssessmentError | null;
}

/** The expected (ground truth) answer for a trace or span. */
export interface Expectation extends AssessmentBase {
  kind: 'expectation';
  value: unknown;
}

export type Assessment = Feedback | Expectation;

/** What a caller provides; the store fills the id and times it is not given. */
interface NewAssessmentBase {
  traceId: string;
  spanId?: string | null;
  name: string;
  source: AssessmentSource;
  rationale?: string | null;
  metadata?: Record<string, string>;
  runId?: string | null;
  assessmentId?: string;
  createTime?: number;
}

export type NewAssessment =
  | (NewAssessmentBase & { kind: 'feedback'; value: unknown; error?: AssessmentError | null })
  | (NewAssessmentBase & { kind: 'expectation'; value: unknown });
