import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import {
  describeInterop,
  freePort,
  INTEROP_SETUP_TIMEOUT_MS,
  type MlflowServer,
  sqliteUri,
  startMlflowServer,
} from '../src/index.js';

function groupAlive(pid: number): boolean {
  try {
    process.kill(-pid, 0);
    return true;
  } catch {
    return false;
  }
}

describeInterop('mlflow server', () => {
  let dir: string;
  let server: MlflowServer | undefined;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'testkit-server-'));
    server = await startMlflowServer({
      backendStoreUri: sqliteUri(join(dir, 'mlflow.db')),
      artifactsDestination: join(dir, 'artifacts'),
    });
  }, INTEROP_SETUP_TIMEOUT_MS);
  afterAll(async () => {
    await server?.stop();
    await rm(dir, { recursive: true, force: true });
  });

  it('listens on a loopback port and answers /health', async () => {
    expect(server!.url).toBe(`http://127.0.0.1:${server!.port}`);
    const res = await fetch(`${server!.url}/health`);
    expect(res.status).toBe(200);
    expect(await res.text()).toBe('OK');
  });

  it('serves the REST API with the Default experiment', async () => {
    const res = await fetch(`${server!.url}/api/2.0/mlflow/experiments/get?experiment_id=0`);
    expect(res.status).toBe(200);
    const body = (await res.json()) as { experiment: { name: string; artifact_location: string } };
    expect(body.experiment.name).toBe('Default');
    // Started without --default-artifact-root, the server proxies artifacts.
    expect(body.experiment.artifact_location).toBe('mlflow-artifacts:/0');
  });

  it('stops the whole process group, and a second stop is harmless', async () => {
    const pid = server!.pid;
    expect(groupAlive(pid)).toBe(true);
    await server!.stop();
    expect(groupAlive(pid)).toBe(false);
    await server!.stop();
    await expect(fetch(`${server!.url}/health`)).rejects.toThrow();
  });

  it('fails fast, with MLflow stderr, when the server cannot start', async () => {
    const notADb = join(dir, 'not-a-db.db');
    await writeFile(
      notADb,
      'this is not an SQLite database, just text long enough to be read\n'.repeat(20),
    );
    await expect(
      startMlflowServer({ backendStoreUri: sqliteUri(notADb), port: await freePort() }),
    ).rejects.toMatchObject({
      code: 'MLFLOW_SERVER_START_FAILED',
      message: expect.stringContaining('file is not a database'),
    });
  });
});
