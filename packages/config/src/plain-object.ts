/* Plain-object helpers for the configuration tree (parsed YAML, objects passed in code). */

export function isPlainObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

export function getAt(object: unknown, segments: readonly string[]): unknown {
  let current = object;
  for (const seg of segments) {
    if (!isPlainObject(current)) return undefined;
    current = current[seg];
  }
  return current;
}

export function setAt(
  object: Record<string, unknown>,
  segments: readonly string[],
  value: unknown,
): void {
  let current = object;
  for (const seg of segments.slice(0, -1)) {
    if (!isPlainObject(current[seg])) current[seg] = {};
    current = current[seg] as Record<string, unknown>;
  }
  current[segments[segments.length - 1]!] = value;
}
