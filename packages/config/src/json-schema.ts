import { z } from 'zod';
import { ConfigFileSchema } from './schema.js';

/**
 * JSON Schema (draft 2020-12) of a config file, generated from the zod schema, for editors
 * (`# yaml-language-server: $schema=...`) and docs. Describes the current format only.
 */
export function configJsonSchema(): Record<string, unknown> {
  return z.toJSONSchema(ConfigFileSchema, { io: 'input', target: 'draft-2020-12' }) as Record<
    string,
    unknown
  >;
}
