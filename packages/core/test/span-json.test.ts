import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Span } from '../src/index.js';
import { mlflowSpanEncoder, spanFromMlflowJson, spanToMlflowJson } from '../src/store-kit.js';
import { makeTraceTree } from '../src/testing/index.js';

it('round-trips spans through MLflow span JSON with exact ns times', () => {
  const traceId = 'tr-0123456789abcdef0123456789abcdef';
  for (const span of makeTraceTree(traceId)) {
    const text = spanToMlflowJson({ ...span, startTimeUnixNano: 1_764_166_451_123_456_789n });
    const d = JSON.parse(text);
    expect(d.trace_id).toBe(
      Buffer.from('0123456789abcdef0123456789abcdef', 'hex').toString('base64'),
    );
    expect(d.attributes['mlflow.traceRequestId']).toBe(JSON.stringify(traceId));
    expect(d.attributes['mlflow.spanType']).toBe(JSON.stringify(span.spanType));
    expect(d.status.code).toMatch(/^STATUS_CODE_(OK|ERROR)$/);
    expect(text).toContain('"start_time_unix_nano":1764166451123456789');
    const back = spanFromMlflowJson(text);
    expect(back).toEqual({ ...span, startTimeUnixNano: 1_764_166_451_123_456_789n });
  }
});

it('reads a span written by MLflow', () => {
  const text =
    '{"trace_id": "ASNFZ4mrze8BI0VniavN7w==", "span_id": "q83vEjRWeJA=", "parent_span_id": null, "name": "predict", ' +
    '"start_time_unix_nano": 1764166451123456789, "end_time_unix_nano": 1764166451223456789, "events": [], ' +
    '"status": {"code": "STATUS_CODE_OK", "message": ""}, "attributes": {"mlflow.traceRequestId": "\\"tr-0123456789abcdef0123456789abcdef\\"", ' +
    '"mlflow.spanType": "\\"CHAIN\\"", "mlflow.spanInputs": "{\\"x\\": 1}", "mlflow.spanOutputs": "2"}}';
  expect(spanFromMlflowJson(text)).toEqual({
    traceId: 'tr-0123456789abcdef0123456789abcdef',
    spanId: 'abcdef1234567890',
    parentSpanId: null,
    name: 'predict',
    spanType: 'CHAIN',
    startTimeUnixNano: 1764166451123456789n,
    endTimeUnixNano: 1764166451223456789n,
    status: { code: 'OK' },
    attributes: { 'mlflow.spanInputs': { x: 1 }, 'mlflow.spanOutputs': 2 },
    events: [],
  });
  expect(() => spanFromMlflowJson('{nope')).toThrow(/not JSON/);
});

describe('mlflowSpanEncoder (values shared between spans encoded once)', () => {
  // Any JSON-ish value, odd ones included: unicode, lone surrogates, control characters,
  // NaN and -0, undefined and functions (dropped or null as JSON.stringify does), Dates.
  const { value } = fc.letrec((tie) => ({
    value: fc.oneof(
      { depthSize: 'small' },
      fc.string({ unit: 'binary' }),
      fc.double(),
      fc.integer(),
      fc.boolean(),
      fc.constant(null),
      fc.constant(undefined),
      fc.constant(() => 1),
      fc.date({ noInvalidDate: true }),
      fc.array(tie('value'), { maxLength: 4 }),
      fc.dictionary(
        fc.string({ unit: 'binary' }).filter((k) => k !== '__proto__'),
        tie('value'),
        { maxKeys: 4 },
      ),
    ),
  }));

  function spanWith(attributes: Record<string, unknown>, i: number): Span {
    const [base] = makeTraceTree('tr-0123456789abcdef0123456789abcdef');
    return { ...base!, spanId: `${i}`.padStart(16, 'a'), attributes };
  }

  it('writes exactly what spanToMlflowJson writes, for any values, shared or not', () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.dictionary(
            // Array-index keys ("0", "42") are ordered first by objects: mixed in on purpose.
            fc.oneof(
              fc.string().filter((k) => k !== '__proto__'),
              fc.nat().map(String),
              fc.constantFrom('4294967294', '4294967295', '01', '-1'),
            ),
            value,
            { maxKeys: 5 },
          ),
          {
            minLength: 1,
            maxLength: 4,
          },
        ),
        (attributeSets) => {
          // The same objects appear in several spans, as a trace's conversation does.
          const shared = { messages: attributeSets.map((a) => a) };
          const spans = attributeSets.map((a, i) =>
            spanWith({ ...a, 'mlflow.spanInputs': shared, [`own${i}`]: a }, i),
          );
          const encode = mlflowSpanEncoder();
          for (const span of spans) expect(encode(span)).toBe(spanToMlflowJson(span));
        },
      ),
      { numRuns: 300 },
    );
  });

  it('encodes a shared value once per encoder', () => {
    let reads = 0;
    const message = {
      role: 'user',
      get content() {
        reads++;
        return 'hello';
      },
    };
    const encode = mlflowSpanEncoder();
    for (let i = 0; i < 5; i++)
      encode(spanWith({ 'mlflow.spanInputs': { messages: [message] } }, i));
    expect(reads).toBe(1);
    expect(JSON.parse(JSON.parse(encode(spanWith({ x: message }, 9))).attributes.x)).toEqual({
      role: 'user',
      content: 'hello',
    });
  });
});
