import { connect, createServer, type Server, type Socket } from 'node:net';

/**
 * A loopback TCP proxy in front of a server that can be told to hang: while hanging it accepts
 * connections and swallows every byte sent, answering nothing, as a server stuck mid-run does.
 * Healing drops the connections that lost bytes (their HTTP stream is broken) and forwards again.
 */
export interface FaultProxy {
  readonly url: string;
  hang(): void;
  heal(): void;
  close(): Promise<void>;
}

export async function startFaultProxy(target: { host: string; port: number }): Promise<FaultProxy> {
  let hanging = false;
  const broken = new Set<Socket>();
  const open = new Set<Socket>();
  const server: Server = createServer((client) => {
    const upstream = connect(target.port, target.host);
    open.add(client);
    open.add(upstream);
    const drop = () => {
      client.destroy();
      upstream.destroy();
      open.delete(client);
      open.delete(upstream);
      broken.delete(client);
    };
    client.on('data', (chunk) => {
      if (hanging) broken.add(client);
      else upstream.write(chunk);
    });
    upstream.on('data', (chunk) => client.write(chunk));
    for (const s of [client, upstream]) {
      s.on('error', drop);
      s.on('close', drop);
    }
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as { port: number };
  return {
    url: `http://127.0.0.1:${port}`,
    hang() {
      hanging = true;
    },
    heal() {
      hanging = false;
      for (const s of broken) s.destroy();
      broken.clear();
    },
    async close() {
      for (const s of open) s.destroy();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
}
