/** Where graphtrace reports its own problems; it never throws them into user code. */
export interface Logger {
  debug(message: string): void;
  info(message: string): void;
  warn(message: string): void;
  error(message: string): void;
}

export const consoleLogger: Logger = {
  debug: (m) => {
    if (process.env.GRAPHTRACE_DEBUG) console.debug(`[graphtrace] ${m}`);
  },
  info: (m) => console.info(`[graphtrace] ${m}`),
  warn: (m) => console.warn(`[graphtrace] ${m}`),
  error: (m) => console.error(`[graphtrace] ${m}`),
};

export const silentLogger: Logger = { debug() {}, info() {}, warn() {}, error() {} };

/** A logger that remembers every line, for tests. */
export function memoryLogger(): Logger & { lines: { level: string; message: string }[] } {
  const lines: { level: string; message: string }[] = [];
  const at = (level: string) => (message: string) => {
    lines.push({ level, message });
  };
  return { lines, debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') };
}
