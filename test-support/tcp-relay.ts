import net from "node:net";

/**
 * A TCP relay in front of a real API server: bytes pass through untouched (TLS, ALPN and HTTP/2
 * are between the client and kube-apiserver), so a test can count the connections a client opens,
 * cut them all (a dropped link) or stop passing bytes on them (a black hole that keeps them open).
 * Listens on 127.0.0.1, a free port.
 */
export type TcpRelay = {
  server: string;
  /** TCP connections accepted so far. */
  readonly accepted: number;
  /** Connections open now. */
  readonly open: number;
  /** Destroys every open connection (both sides), as a dropped link would. */
  drop(): void;
  /** From now on bytes are read and dropped, never passed on: open connections go silent. */
  blackHole(): void;
  stop(): Promise<void>;
};

export async function startTcpRelay(upstream: string): Promise<TcpRelay> {
  const target = new URL(upstream);
  const pairs = new Set<[net.Socket, net.Socket]>();
  let accepted = 0;
  let silent = false;
  const relay = net.createServer((client) => {
    accepted++;
    const server = net.connect({ host: target.hostname, port: Number(target.port) });
    const pair: [net.Socket, net.Socket] = [client, server];
    pairs.add(pair);
    const forward = (from: net.Socket, to: net.Socket) =>
      from.on("data", (chunk: Buffer) => {
        if (!silent) to.write(chunk);
      });
    forward(client, server);
    forward(server, client);
    const close = () => {
      pairs.delete(pair);
      client.destroy();
      server.destroy();
    };
    client.on("close", close).on("error", close);
    server.on("close", close).on("error", close);
  });
  await new Promise<void>((resolve) => relay.listen(0, "127.0.0.1", resolve));
  const { port } = relay.address() as net.AddressInfo;
  const dropAll = () => {
    for (const [client, server] of [...pairs]) {
      client.destroy();
      server.destroy();
    }
  };
  return {
    server: `https://127.0.0.1:${port}`,
    get accepted() {
      return accepted;
    },
    get open() {
      return pairs.size;
    },
    drop: dropAll,
    blackHole() {
      silent = true;
    },
    async stop() {
      dropAll();
      await new Promise((resolve) => relay.close(resolve));
    },
  };
}
