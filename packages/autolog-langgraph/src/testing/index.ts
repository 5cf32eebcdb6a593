export {
  reactScript,
  ScriptedChatModel,
  type ScriptedChatModelCallOptions,
  type ScriptedChatModelOptions,
  type ScriptedToolCall,
  type ScriptedTurn,
  type ScriptedUsage,
  type ScriptFn,
} from './scripted-chat-model.js';
