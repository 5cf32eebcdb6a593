import { readFileSync } from 'node:fs';
import { tool } from '@langchain/core/tools';
import { z } from 'zod';

interface Doc {
  id: string;
  title: string;
  text: string;
}

const docs: Doc[] = JSON.parse(
  readFileSync(new URL('../../data/docs.json', import.meta.url), 'utf8'),
);

/** Ranks the shipped documents by how many query words they contain. */
export function searchDocs(query: string, k = 2): Doc[] {
  const words = query
    .toLowerCase()
    .split(/\W+/)
    .filter((w) => w.length > 2);
  return docs
    .map((d) => ({
      d,
      score: words.filter((w) => `${d.title} ${d.text}`.toLowerCase().includes(w)).length,
    }))
    .filter((x) => x.score > 0)
    .sort((a, b) => b.score - a.score)
    .slice(0, k)
    .map((x) => x.d);
}

/**
 * Evaluates + - * / and parentheses over decimal numbers. A tiny recursive-descent parser: the
 * model's input is never handed to eval.
 */
export function calculate(expression: string): number {
  let i = 0;
  const s = expression.replace(/\s+/g, '').replace(/[×x]/g, '*').replace(/÷/g, '/');
  const fail = (why: string): never => {
    throw new Error(`cannot calculate "${expression}": ${why} at position ${i + 1}`);
  };
  const number = (): number => {
    const m = /^\d+(\.\d+)?/.exec(s.slice(i));
    if (!m) fail('expected a number');
    i += m![0].length;
    return Number(m![0]);
  };
  const factor = (): number => {
    if (s[i] === '-') {
      i++;
      return -factor();
    }
    if (s[i] === '(') {
      i++;
      const v = sum();
      if (s[i] !== ')') fail('expected )');
      i++;
      return v;
    }
    return number();
  };
  const product = (): number => {
    let v = factor();
    while (s[i] === '*' || s[i] === '/') {
      const op = s[i++];
      const r = factor();
      if (op === '/' && r === 0) fail('division by zero');
      v = op === '*' ? v * r : v / r;
    }
    return v;
  };
  const sum = (): number => {
    let v = product();
    while (s[i] === '+' || s[i] === '-') {
      const op = s[i++];
      const r = product();
      v = op === '+' ? v + r : v - r;
    }
    return v;
  };
  const v = sum();
  if (i < s.length) fail('unexpected character');
  return v;
}

export const calculatorTool = tool(async ({ expression }) => String(calculate(expression)), {
  name: 'calculator',
  description: 'Evaluates an arithmetic expression with + - * / and parentheses.',
  schema: z.object({ expression: z.string().describe('for example "6 * (3 + 4)"') }),
});

export const searchDocsTool = tool(
  async ({ query }) =>
    JSON.stringify(searchDocs(query).map((d) => ({ id: d.id, title: d.title, text: d.text }))),
  {
    name: 'search_docs',
    description:
      'Searches the local graphtrace and LangGraph notes; returns the best matching passages.',
    schema: z.object({ query: z.string().describe('what to look for') }),
  },
);
