import { GraphtraceError } from '@graphtrace/core';
import { describe, expect, it } from 'vitest';
import { ConfigError, parseTrackingUri } from '../src/index.js';

describe('ConfigError belongs to the GraphtraceError family', () => {
  it('a bad tracking URI throws a ConfigError that is a GraphtraceError, fields intact', () => {
    const err = (() => {
      try {
        parseTrackingUri('ftp://host/x');
      } catch (e) {
        return e;
      }
    })();
    expect(err).toBeInstanceOf(ConfigError);
    expect(err).toBeInstanceOf(GraphtraceError);
    expect(err).toMatchObject({ name: 'ConfigError', code: 'CONFIG_INVALID_URI', issues: [] });
  });

  it('keeps its issues and message', () => {
    const issue = { code: 'CONFIG_INVALID_VALUE' as const, message: 'sampling must be ≤ 1' };
    const err = new ConfigError('CONFIG_INVALID_VALUE', 'sampling must be ≤ 1', [issue]);
    expect(err).toBeInstanceOf(GraphtraceError);
    expect(err.message).toBe('sampling must be ≤ 1');
    expect(err.issues).toEqual([issue]);
  });
});
