/** A writable terminal stream: what the CLI needs of `process.stdout` / `process.stderr`. */
export interface OutStream {
  write(chunk: string): boolean;
  isTTY?: boolean | undefined;
  columns?: number | undefined;
}

/** Everything the CLI reads from or writes to its process, injectable for embedding and tests. */
export interface CliIo {
  stdout: OutStream;
  stderr: OutStream;
  stdin: NodeJS.ReadableStream & { isTTY?: boolean | undefined };
  env: Readonly<Record<string, string | undefined>>;
  cwd: string;
}

export function processIo(): CliIo {
  return {
    stdout: process.stdout,
    stderr: process.stderr,
    stdin: process.stdin,
    env: process.env,
    cwd: process.cwd(),
  };
}
