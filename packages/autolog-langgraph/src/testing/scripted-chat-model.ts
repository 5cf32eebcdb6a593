import type { CallbackManagerForLLMRun } from '@langchain/core/callbacks/manager';
import type { BaseLanguageModelInput } from '@langchain/core/language_models/base';
import {
  BaseChatModel,
  type BaseChatModelCallOptions,
  type BindToolsInput,
} from '@langchain/core/language_models/chat_models';
import { AIMessage, AIMessageChunk, type BaseMessage } from '@langchain/core/messages';
import { ChatGenerationChunk, type ChatResult } from '@langchain/core/outputs';
import type { Runnable } from '@langchain/core/runnables';
import { convertToOpenAITool } from '@langchain/core/utils/function_calling';

/** Token counts as LangChain reports them on `AIMessage.usage_metadata`. */
export interface ScriptedUsage {
  input_tokens: number;
  output_tokens: number;
  total_tokens: number;
  /** Prompt-cache counts, part of `input_tokens`. */
  input_token_details?: { cache_read?: number; cache_creation?: number };
}

export interface ScriptedToolCall {
  name: string;
  args: Record<string, unknown>;
  /** Default: `call_<turn>_<index>`, so every conversation gets the same ids. */
  id?: string;
}

/** What the model answers on one turn. */
export interface ScriptedTurn {
  content?: string;
  toolCalls?: ScriptedToolCall[];
  /** Default: 10 input tokens per input message, 5 output tokens per answer and per tool call. */
  usage?: ScriptedUsage | null;
  /** Thrown instead of answering (a model error). */
  error?: Error;
}

export type ScriptFn = (messages: BaseMessage[], turn: number) => ScriptedTurn;

export interface ScriptedChatModelOptions {
  /**
   * The answer per turn, where the turn is the number of AI messages already in the
   * conversation: concurrent conversations each follow the script from the start. Past the end
   * of a list, the last entry repeats.
   */
  script: ScriptedTurn[] | ScriptFn;
  /** Simulated latency of each call, in ms (0: answer in the same tick's microtasks). */
  latencyMs?: number;
  /** Reported as `ls_model_name` and `invocation_params.model`. */
  modelName?: string;
  temperature?: number;
}

export interface ScriptedChatModelCallOptions extends BaseChatModelCallOptions {
  /** OpenAI-format tool definitions, as `bindTools` sets them (like the provider packages do). */
  tools?: ReturnType<typeof convertToOpenAITool>[];
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

function defaultUsage(messages: BaseMessage[], turn: ScriptedTurn): ScriptedUsage {
  const input = 10 * messages.length;
  const output = 5 * (1 + (turn.toolCalls?.length ?? 0));
  return { input_tokens: input, output_tokens: output, total_tokens: input + output };
}

/**
 * A deterministic chat model for tests, examples and benchmarks: it answers from a script
 * (text, tool calls, token usage, errors), streams word by word, supports `bindTools` the way
 * provider packages do, and needs no network.
 */
export class ScriptedChatModel extends BaseChatModel<ScriptedChatModelCallOptions> {
  readonly script: ScriptFn;
  readonly latencyMs: number;
  readonly modelName: string;
  readonly temperature: number;
  /** Calls made so far (all conversations together). */
  calls = 0;

  static override lc_name(): string {
    return 'ScriptedChatModel';
  }

  constructor(options: ScriptedChatModelOptions) {
    super({});
    const s = options.script;
    this.script = Array.isArray(s)
      ? (_m, turn) => s[Math.min(turn, s.length - 1)] ?? { content: '' }
      : s;
    this.latencyMs = options.latencyMs ?? 0;
    this.modelName = options.modelName ?? 'scripted-model';
    this.temperature = options.temperature ?? 0;
  }

  _llmType(): string {
    return 'scripted';
  }

  override invocationParams(options?: this['ParsedCallOptions']): Record<string, unknown> {
    const params: Record<string, unknown> = {
      model: this.modelName,
      temperature: this.temperature,
    };
    if (options?.tools?.length) params.tools = options.tools;
    return params;
  }

  override getLsParams(options: this['ParsedCallOptions']) {
    return {
      ...super.getLsParams(options),
      ls_provider: 'scripted',
      ls_model_name: this.modelName,
      ls_temperature: this.temperature,
    };
  }

  override bindTools(
    tools: BindToolsInput[],
    kwargs?: Partial<ScriptedChatModelCallOptions>,
  ): Runnable<BaseLanguageModelInput, AIMessageChunk, ScriptedChatModelCallOptions> {
    return this.withConfig({
      tools: tools.map((t) => convertToOpenAITool(t)),
      ...kwargs,
    } as Partial<ScriptedChatModelCallOptions>);
  }

  private async answer(messages: BaseMessage[]): Promise<{ turn: ScriptedTurn; index: number }> {
    this.calls++;
    const index = messages.filter((m) => m.getType() === 'ai').length;
    const turn = this.script(messages, index);
    if (this.latencyMs > 0) await sleep(this.latencyMs);
    if (turn.error) throw turn.error;
    return { turn, index };
  }

  private static fields(messages: BaseMessage[], turn: ScriptedTurn, index: number) {
    const toolCalls = (turn.toolCalls ?? []).map((tc, i) => ({
      name: tc.name,
      args: tc.args,
      id: tc.id ?? `call_${index}_${i}`,
      type: 'tool_call' as const,
    }));
    const usage = turn.usage === null ? undefined : (turn.usage ?? defaultUsage(messages, turn));
    return { content: turn.content ?? '', toolCalls, usage };
  }

  async _generate(messages: BaseMessage[]): Promise<ChatResult> {
    const { turn, index } = await this.answer(messages);
    const f = ScriptedChatModel.fields(messages, turn, index);
    const message = new AIMessage({
      content: f.content,
      tool_calls: f.toolCalls,
      ...(f.usage ? { usage_metadata: f.usage } : {}),
      response_metadata: {
        model_name: this.modelName,
        finish_reason: f.toolCalls.length ? 'tool_calls' : 'stop',
      },
    });
    return { generations: [{ text: f.content, message }] };
  }

  override async *_streamResponseChunks(
    messages: BaseMessage[],
    _options: this['ParsedCallOptions'],
    runManager?: CallbackManagerForLLMRun,
  ): AsyncGenerator<ChatGenerationChunk> {
    const { turn, index } = await this.answer(messages);
    const f = ScriptedChatModel.fields(messages, turn, index);
    const words = f.content.split(/(?<= )/).filter((w) => w.length > 0);
    for (const word of words) {
      const chunk = new ChatGenerationChunk({
        text: word,
        message: new AIMessageChunk({ content: word }),
      });
      yield chunk;
      await runManager?.handleLLMNewToken(word, undefined, undefined, undefined, undefined, {
        chunk,
      });
    }
    // The last chunk carries the tool calls and the usage, as provider streams do.
    yield new ChatGenerationChunk({
      text: '',
      message: new AIMessageChunk({
        content: '',
        tool_call_chunks: f.toolCalls.map((tc, i) => ({
          name: tc.name,
          args: JSON.stringify(tc.args),
          id: tc.id,
          index: i,
          type: 'tool_call_chunk' as const,
        })),
        ...(f.usage ? { usage_metadata: f.usage } : {}),
        response_metadata: {
          model_name: this.modelName,
          finish_reason: f.toolCalls.length ? 'tool_calls' : 'stop',
        },
      }),
    });
  }
}

/**
 * A ReAct script: `rounds` turns that each call `tools` (in order, cycling) with the given
 * arguments, then a final answer.
 */
export function reactScript(
  rounds: number,
  tools: { name: string; args: Record<string, unknown> }[],
  finalAnswer = 'done',
): ScriptFn {
  return (_messages, turn) => {
    if (turn >= rounds) return { content: finalAnswer };
    const tool = tools[turn % tools.length]!;
    return { content: '', toolCalls: [{ name: tool.name, args: tool.args }] };
  };
}
