import { type Document, isAlias, isCollection, isMap, isPair, isScalar, type Node } from 'yaml';

/**
 * Key nodes that repeat an earlier key of the same mapping, in document order.
 *
 * The `yaml` library's own check (`uniqueKeys`) compares each key with every earlier one,
 * which is quadratic: 80k keys took minutes. This is the same rule (scalar keys with equal
 * values) with one hash lookup per key.
 */
export function findDuplicateKeys(doc: Document): Node[] {
  const found: Node[] = [];
  // An explicit stack: deep documents must not overflow the call stack here.
  const stack: unknown[] = [doc.contents];
  while (stack.length > 0) {
    const node = stack.pop();
    if (node === null || node === undefined || isAlias(node) || isScalar(node)) continue;
    if (isMap(node)) {
      const seen = new Set<unknown>();
      for (const pair of node.items) {
        const key = pair.key;
        if (isScalar(key) && !Number.isNaN(key.value)) {
          if (seen.has(key.value)) found.push(key);
          else seen.add(key.value);
        }
        stack.push(pair.value, key);
      }
    } else if (isCollection(node)) {
      // Sequences; a flow sequence can hold single pairs (`[a: 1]`).
      for (const item of node.items) {
        if (isPair(item)) stack.push(item.value, item.key);
        else stack.push(item);
      }
    }
  }
  return found.sort((a, b) => (a.range?.[0] ?? 0) - (b.range?.[0] ?? 0));
}
