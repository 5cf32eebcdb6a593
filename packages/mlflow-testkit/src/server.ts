import { spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { MlflowTestkitError } from './errors.js';
import { quietMlflowEnv } from './paths.js';
import { killGroup, tail } from './process.js';
import { ensureMlflowVenv } from './venv.js';
import { WATCHDOG_PY } from './watchdog.js';

export interface StartMlflowServerOptions {
  /** The MLflow release to run (default: the oldest supported). */
  mlflowVersion?: string;
  /** e.g. `sqlite:////abs/path/mlflow.db` or `postgresql://…`. */
  backendStoreUri: string;
  /** Where proxied artifacts land (`--artifacts-destination`). */
  artifactsDestination?: string;
  /** `--default-artifact-root`; when unset MLflow uses `mlflow-artifacts:/` (proxied). */
  defaultArtifactRoot?: string;
  /** A fixed port; by default a free loopback port is picked. */
  port?: number;
  /** Default 180 s: the first start imports a lot of Python on a 2-core machine. */
  startTimeoutMs?: number;
  env?: Record<string, string | undefined>;
  cwd?: string;
  /** More `mlflow server` flags, appended as given. */
  extraArgs?: string[];
}

export interface MlflowServer {
  url: string;
  port: number;
  pid: number;
  /** Stops the server and every process it forked; safe to call twice. */
  stop(): Promise<void>;
  /** Everything the server wrote to stderr so far (MLflow logs there). */
  stderr(): string;
  stdout(): string;
}

const running = new Map<number, () => Promise<void>>();

/** A port the OS says is free right now on 127.0.0.1. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

/**
 * Starts the real `mlflow server` on 127.0.0.1 with one uvicorn worker, waits for `/health`
 * and returns a handle. The server runs in its own process group so stop() reaps uvicorn too.
 */
export async function startMlflowServer(opts: StartMlflowServerOptions): Promise<MlflowServer> {
  const venv = await ensureMlflowVenv(opts.mlflowVersion);
  // A port picked by freePort() can be taken before mlflow binds it; one retry covers that.
  for (let attempt = 1; ; attempt++) {
    try {
      return await startOnce(venv.python, venv.mlflow, opts);
    } catch (err) {
      const inUse =
        err instanceof MlflowTestkitError && /address already in use/i.test(err.message);
      if (!inUse || opts.port !== undefined || attempt >= 3) throw err;
    }
  }
}

async function startOnce(
  python: string,
  mlflow: string,
  opts: StartMlflowServerOptions,
): Promise<MlflowServer> {
  const port = opts.port ?? (await freePort());
  const args = [
    'server',
    '--backend-store-uri',
    opts.backendStoreUri,
    '--host',
    '127.0.0.1',
    '--port',
    String(port),
    // The default is 4 uvicorn workers: too many processes for a 2-core test machine.
    '--workers',
    '1',
  ];
  if (opts.artifactsDestination) args.push('--artifacts-destination', opts.artifactsDestination);
  if (opts.defaultArtifactRoot) args.push('--default-artifact-root', opts.defaultArtifactRoot);
  if (opts.extraArgs) args.push(...opts.extraArgs);

  let out = '';
  let err = '';
  // The watchdog holds our stdin pipe: if this process dies without stop(), the pipe closes
  // and the watchdog takes the server down, so no test run leaks a server.
  const child = spawn(python, ['-c', WATCHDOG_PY, mlflow, ...args], {
    cwd: opts.cwd,
    env: { ...process.env, ...quietMlflowEnv(), ...opts.env },
    stdio: ['pipe', 'pipe', 'pipe'],
    detached: true,
  });
  // Neither the child nor its pipes keep the event loop alive; a forgotten server must not
  // hang the test runner (the closed stdin pipe then stops it).
  child.unref();
  for (const s of [child.stdin, child.stdout, child.stderr]) {
    (s as unknown as { unref?: () => void }).unref?.();
  }
  const pid = child.pid;
  let exited: { code: number | null; signal: NodeJS.Signals | null } | undefined;
  let spawnError: Error | undefined;
  const exitedPromise = new Promise<void>((resolve) => {
    child.on('exit', (code, signal) => {
      exited = { code, signal };
      resolve();
    });
    child.on('error', (e) => {
      spawnError = e;
      exited = { code: null, signal: null };
      resolve();
    });
  });
  child.stdout.setEncoding('utf8').on('data', (d: string) => {
    out = cap(out + d);
  });
  child.stderr.setEncoding('utf8').on('data', (d: string) => {
    err = cap(err + d);
  });
  const url = `http://127.0.0.1:${port}`;
  let stopping: Promise<void> | undefined;
  const stop = () => {
    stopping ??= (async () => {
      if (pid !== undefined) running.delete(pid);
      if (!exited) {
        // The watchdog (our child, so its pid cannot have been reused) stops and reaps the group.
        child.kill('SIGTERM');
        const graceful = await Promise.race([
          exitedPromise.then(() => true),
          sleep(15_000, false, { ref: false }),
        ]);
        if (!graceful) {
          killGroup(pid, 'SIGKILL');
          await Promise.race([exitedPromise, sleep(5_000, undefined, { ref: false })]);
        }
      }
      child.stdin.destroy();
    })();
    return stopping;
  };
  if (pid !== undefined) running.set(pid, stop);

  const timeoutMs = opts.startTimeoutMs ?? 180_000;
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (exited) {
      await stop();
      throw new MlflowTestkitError(
        'MLFLOW_SERVER_START_FAILED',
        `mlflow server exited before answering /health (code ${exited.code}, signal ` +
          `${exited.signal}${spawnError ? `, ${spawnError.message}` : ''}).\n` +
          `args: ${args.join(' ')}\nstderr:\n${tail(err, 40)}`,
      );
    }
    if (await healthy(url)) break;
    if (Date.now() > deadline) {
      await stop();
      throw new MlflowTestkitError(
        'MLFLOW_SERVER_START_TIMEOUT',
        `mlflow server did not answer ${url}/health within ${timeoutMs} ms.\nstderr:\n${tail(err, 40)}`,
      );
    }
    await sleep(250);
  }
  return {
    url,
    port,
    pid: pid ?? -1,
    stop,
    stderr: () => err,
    stdout: () => out,
  };
}

async function healthy(url: string): Promise<boolean> {
  try {
    const res = await fetch(`${url}/health`, { signal: AbortSignal.timeout(2_000) });
    await res.arrayBuffer();
    return res.ok;
  } catch {
    return false;
  }
}

/** Keeps the last 1 MiB of a log, so a chatty server cannot exhaust memory. */
function cap(s: string): string {
  const max = 1 << 20;
  return s.length > max ? s.slice(s.length - max) : s;
}

/** Starts a server, runs `fn`, and stops the server whatever `fn` does. */
export async function withMlflowServer<T>(
  opts: StartMlflowServerOptions,
  fn: (server: MlflowServer) => Promise<T>,
): Promise<T> {
  const server = await startMlflowServer(opts);
  try {
    return await fn(server);
  } finally {
    await server.stop();
  }
}

/** Stops every server this process started and has not stopped yet (for afterAll/teardown). */
export async function stopAllMlflowServers(): Promise<void> {
  await Promise.all([...running.values()].map((stop) => stop()));
}
