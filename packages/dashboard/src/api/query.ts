import { z } from 'zod';
import { DashboardError } from '../errors.js';

/*
 * Query-string and body validation with zod: every parameter is typed, unknown parameters are
 * refused (a typo such as `filtr=` would otherwise be ignored in silence), and a failure is a
 * 400 naming the parameter.
 */

const MAX_MS = 8_640_000_000_000_000; // the largest Date

export function integer(min: number, max: number) {
  return z
    .string()
    .regex(/^-?\d+$/, { error: 'must be an integer' })
    .transform(Number)
    .refine((n) => n >= min && n <= max, {
      error: `must be from ${min.toLocaleString('en-US')} to ${max.toLocaleString('en-US')}`,
    });
}

const experimentIds = z
  .array(
    z
      .string()
      .regex(/^[A-Za-z0-9_.:-]{1,64}$/, { error: 'must be experiment ids, e.g. experiment=1' }),
  )
  .max(100, { error: 'at most 100 experiments' })
  .optional();

const filter = z.string().max(4000, { error: 'at most 4,000 characters' }).optional();
const orderBy = z.string().max(500, { error: 'at most 500 characters' }).optional();
const pageToken = z.string().max(4096, { error: 'at most 4,096 characters' }).optional();
/** Free text searched in request and response previews (text-search.ts). */
const search = z.string().max(500, { error: 'at most 500 characters' }).optional();
const time = integer(0, MAX_MS).optional();

function ordered<T extends { from?: number | undefined; to?: number | undefined }>(q: T): boolean {
  return q.from === undefined || q.to === undefined || q.from < q.to;
}
const orderedRange = { error: 'must be before `to`', path: ['from'] };

/** The trace list's time range: `from` inclusive, `to` exclusive (either may be left open). */
const listRange = { from: time, to: time };

export const tracesQuery = z
  .strictObject({
    experiment: experimentIds,
    filter,
    search,
    orderBy,
    pageSize: integer(1, 500).optional(),
    pageToken,
    ...listRange,
  })
  .refine(ordered, orderedRange);

export const countQuery = z
  .strictObject({ experiment: experimentIds, filter, search, ...listRange })
  .refine(ordered, orderedRange);

export const newTracesQuery = z.strictObject({
  experiment: experimentIds,
  filter,
  search,
  since: integer(0, MAX_MS),
});

const range = { experiment: experimentIds, filter, from: time, to: time };

export const metricsQuery = z
  .strictObject({ ...range, bucket: integer(1000, 366 * 24 * 3_600_000).optional() })
  .refine(ordered, orderedRange);

/** `/api/costs`: the same range and buckets as `/api/metrics`. */
export const costsQuery = metricsQuery;

export const modelCostsQuery = z.strictObject(range).refine(ordered, orderedRange);

export const toolsQuery = z
  .strictObject({ ...range, examples: integer(1, 20).optional() })
  .refine(ordered, orderedRange);

export const sessionsQuery = z
  .strictObject({
    ...range,
    limit: integer(1, 200).optional(),
    offset: integer(0, 1_000_000).optional(),
  })
  .refine(ordered, orderedRange);

export const sessionTracesQuery = z.strictObject({ experiment: experimentIds });

export const qualityQuery = z
  .strictObject({
    ...range,
    name: z.string().min(1).max(250).optional(),
    limit: integer(1, 200).optional(),
  })
  .refine(ordered, orderedRange);

export const runsQuery = z.strictObject({
  experiment: experimentIds,
  filter,
  orderBy,
  pageSize: integer(1, 1000).optional(),
  pageToken,
});

export const emptyQuery = z.strictObject({});

export const metricHistoryQuery = z.strictObject({
  key: z.string().min(1, { error: 'is required' }).max(250),
});

/** Feedback (thumbs or a score, with a rationale) or an expectation, from the trace page. */
export const createAssessmentBody = z.strictObject({
  name: z.string().trim().min(1, { error: 'must not be empty' }).max(250).default('user_feedback'),
  kind: z.enum(['feedback', 'expectation']).default('feedback'),
  value: z.union([z.boolean(), z.number().finite(), z.string().max(10_000)], {
    error: 'must be true/false (thumbs), a number (score) or a string (label)',
  }),
  rationale: z.string().max(10_000).optional(),
  spanId: z
    .string()
    .regex(/^[0-9a-f]{16}$/, { error: 'must be a span id (16 lowercase hex characters)' })
    .optional(),
  source: z
    .strictObject({
      sourceType: z.enum(['HUMAN', 'LLM_JUDGE', 'CODE']).default('HUMAN'),
      sourceId: z.string().trim().min(1).max(250),
    })
    .optional(),
});

/** Query parameters that may be repeated or comma-separated. */
const LISTS = new Set(['experiment']);

export function parseQuery<S extends z.ZodType>(url: URL, schema: S): z.output<S> {
  const raw: Record<string, string | string[]> = {};
  for (const key of new Set(url.searchParams.keys())) {
    const values = url.searchParams.getAll(key);
    if (LISTS.has(key)) {
      raw[key] = values
        .flatMap((v) => v.split(','))
        .map((v) => v.trim())
        .filter((v) => v !== '');
    } else if (values.length > 1) {
      throw new DashboardError(
        'INVALID_QUERY',
        `query parameter \`${key}\` is given ${values.length} times; give it once`,
        { param: key },
      );
    } else raw[key] = values[0]!;
  }
  const result = schema.safeParse(raw);
  if (!result.success) throw fromZod(result.error, 'INVALID_QUERY', 'query parameter');
  return result.data;
}

export function parseBody<S extends z.ZodType>(body: unknown, schema: S): z.output<S> {
  const result = schema.safeParse(body);
  if (!result.success) throw fromZod(result.error, 'INVALID_BODY', 'field');
  return result.data;
}

function fromZod(
  error: z.ZodError,
  code: 'INVALID_QUERY' | 'INVALID_BODY',
  what: string,
): DashboardError {
  const issue = error.issues[0]!;
  if (issue.code === 'unrecognized_keys') {
    const key = issue.keys[0]!;
    return new DashboardError(code, `unknown ${what} \`${key}\``, { param: key });
  }
  const path = issue.path.map(String).join('.');
  if (path === '') return new DashboardError(code, `${what}s: ${issue.message}`);
  const message =
    issue.code === 'invalid_type' && issue.input === undefined ? 'is required' : issue.message;
  return new DashboardError(code, `${what} \`${path}\` ${message}`, { param: path });
}
