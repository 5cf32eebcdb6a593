import { expect, it } from 'vitest';
import { spanFromMlflowJson, spanToMlflowJson } from '../src/index.js';
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
