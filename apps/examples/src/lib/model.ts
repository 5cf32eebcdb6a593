import { ScriptedChatModel, type ScriptedTurn } from '@graphtrace/autolog-langgraph/testing';
import type { BaseChatModel } from '@langchain/core/language_models/chat_models';
import { type BaseMessage, ToolMessage } from '@langchain/core/messages';

/** The name the offline scripted model reports as `mlflow.llm.model`. */
export const SCRIPTED_MODEL = 'scripted-react';

/**
 * The chat model of the examples: a deterministic scripted model by default (no network, no
 * key), or a real OpenAI-compatible model when OPENAI_API_KEY is set (OPENAI_BASE_URL points it
 * at any compatible local server; OPENAI_MODEL picks the model).
 */
export async function chatModel(
  script: (messages: BaseMessage[], turn: number) => ScriptedTurn,
): Promise<{ model: BaseChatModel; kind: string }> {
  if (process.env.OPENAI_API_KEY) {
    const { ChatOpenAI } = await import('@langchain/openai');
    const model = new ChatOpenAI({
      model: process.env.OPENAI_MODEL ?? 'gpt-4o-mini',
      temperature: 0,
      ...(process.env.OPENAI_BASE_URL
        ? { configuration: { baseURL: process.env.OPENAI_BASE_URL } }
        : {}),
    });
    return { model, kind: `OpenAI-compatible model ${model.model}` };
  }
  return {
    model: new ScriptedChatModel({ script, modelName: SCRIPTED_MODEL, temperature: 0 }),
    kind: 'scripted model (offline)',
  };
}

/** The text of the tool results so far, newest last. */
export function toolResults(messages: BaseMessage[]): string[] {
  return messages.filter((m) => m instanceof ToolMessage).map((m) => String(m.content));
}

/**
 * The ReAct script of the main example: look the question up, calculate, then answer from what
 * the tools returned.
 */
export function reactAgentScript(messages: BaseMessage[], turn: number): ScriptedTurn {
  if (turn === 0)
    return {
      toolCalls: [{ name: 'search_docs', args: { query: 'where does graphtrace write traces' } }],
    };
  if (turn === 1)
    return { toolCalls: [{ name: 'calculator', args: { expression: '6 * (3 + 4)' } }] };
  const [found = '[]', product = '?'] = toolResults(messages);
  const first = (JSON.parse(found) as { text: string }[])[0]?.text ?? 'I found nothing.';
  return { content: `${first} And 6 × (3 + 4) = ${product}.` };
}
