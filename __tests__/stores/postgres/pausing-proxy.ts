import net from 'node:net';

/**
 * A TCP proxy in front of a real PostgreSQL that can stop answering, as a
 * server stopped with SIGSTOP does: connections stay open and new ones are
 * still accepted, but nothing is forwarded either way. (Used instead of a
 * cluster of the test's own, which initdb refuses to create as root, as CI
 * runs; from the client's side the two look the same.)
 */
export interface PausingProxy {
  /** The URL of the target with host and port replaced by the proxy's. */
  readonly url: string;
  /** Stop forwarding, on open connections and new ones alike (as SIGSTOP). */
  pause(): void;
  /** Forward again, what was held back first (as SIGCONT). */
  resume(): void;
  close(): Promise<void>;
}

/** One client connection and its connection to the real server, opened when first forwarded. */
class Pair {
  private server: net.Socket | undefined;
  private readonly toServer: Buffer[] = [];
  private readonly toClient: Buffer[] = [];

  constructor(
    private readonly client: net.Socket,
    private readonly target: URL,
    private readonly isPaused: () => boolean,
    private readonly sockets: Set<net.Socket>,
  ) {
    sockets.add(client);
    client.on('error', () => undefined);
    client.on('close', () => this.server?.destroy());
    client.on('data', (chunk) => {
      this.toServer.push(chunk);
      this.flush();
    });
  }

  flush(): void {
    if (this.isPaused() || this.client.destroyed) return;
    if (!this.server) {
      const server = net.connect(Number(this.target.port || 5432), this.target.hostname);
      this.server = server;
      this.sockets.add(server);
      server.on('error', () => this.client.destroy());
      server.on('close', () => this.client.destroy());
      server.on('data', (chunk) => {
        this.toClient.push(chunk);
        this.flush();
      });
    }
    for (const chunk of this.toServer.splice(0)) this.server.write(chunk);
    for (const chunk of this.toClient.splice(0)) this.client.write(chunk);
  }
}

export async function startPausingProxy(target: string): Promise<PausingProxy> {
  const upstream = new URL(target);
  const sockets = new Set<net.Socket>();
  const pairs: Pair[] = [];
  let paused = false;
  const proxy = net.createServer((client) => {
    const pair = new Pair(client, upstream, () => paused, sockets);
    pairs.push(pair);
    pair.flush();
  });
  await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
  const url = new URL(target);
  url.hostname = '127.0.0.1';
  url.port = String((proxy.address() as net.AddressInfo).port);
  return {
    url: url.href,
    pause: () => {
      paused = true;
    },
    resume: () => {
      paused = false;
      for (const pair of pairs) pair.flush();
    },
    close: async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => proxy.close(() => resolve()));
    },
  };
}
