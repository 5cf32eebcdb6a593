import { type ChatMessage, toolNamesById } from '../chat.js';
import { JsonView } from './json-view.js';

const ROLE_LABELS: Record<string, string> = {
  system: 'System',
  developer: 'Developer',
  user: 'User',
  assistant: 'Assistant',
  tool: 'Tool',
};

/** The conversation of a chat span: prompts, the model's tool calls, tool results, its answer. */
export function ChatView({ messages }: { messages: ChatMessage[] }) {
  const names = toolNamesById(messages);
  return (
    <ol class="chat">
      {messages.map((m, i) => {
        const label = ROLE_LABELS[m.role] ?? m.role;
        const answered = m.toolCallId ? names.get(m.toolCallId) : undefined;
        return (
          <li key={i} class={`chat-message role-${m.role}${m.output ? ' chat-output' : ''}`}>
            <div class="chat-role">
              {label}
              {m.role === 'tool' && (answered || m.name) ? (
                <span class="chat-meta">
                  result of {answered ?? m.name}
                  {m.toolCallId ? ` · ${m.toolCallId}` : ''}
                </span>
              ) : null}
              {m.output ? <span class="chat-meta">model output</span> : null}
            </div>
            {m.content !== null ? <div class="chat-content">{m.content}</div> : null}
            {m.toolCalls.map((c, j) => (
              <div key={j} class="tool-call">
                <div class="tool-call-head">
                  <span class="tool-call-icon" aria-hidden="true">
                    ƒ
                  </span>
                  calls <code>{c.name}</code>
                  {c.id ? <span class="chat-meta">{c.id}</span> : null}
                </div>
                <JsonView value={c.arguments} expandDepth={3} />
              </div>
            ))}
          </li>
        );
      })}
    </ol>
  );
}
