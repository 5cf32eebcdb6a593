import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { expect, it } from 'vitest';
import { describeOptions, renderConfigReference } from '../src/index.js';

it('CONFIG_REFERENCE.md is the reference generated from the schema (regenerate: pnpm --filter @graphtrace/config run docs)', () => {
  const committed = readFileSync(
    resolve(import.meta.dirname, '../../../CONFIG_REFERENCE.md'),
    'utf8',
  );
  expect(committed).toBe(renderConfigReference());
});

it('documents every option with its type, default and environment variable', () => {
  const text = renderConfigReference();
  for (const o of describeOptions()) {
    expect(text).toContain(`| \`${o.path}\` | ${o.type} |`);
    for (const env of o.env) expect(text).toContain(`\`${env}\``);
  }
});
