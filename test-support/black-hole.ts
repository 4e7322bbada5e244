// A server on loopback that accepts TCP connections and never answers: what a cluster behind a
// dropped route or a hung load balancer looks like. The test closes it when it ends.
import net from "node:net";

/** `open`: connections not yet closed (by the client giving up, or by close()). */
export type BlackHole = { server: string; open: () => number; close(): Promise<void> };

export async function startBlackHole(): Promise<BlackHole> {
  const sockets = new Set<net.Socket>();
  const listener = net.createServer((socket) => {
    sockets.add(socket);
    socket.resume();
    socket.on("close", () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => listener.listen(0, "127.0.0.1", resolve));
  const { port } = listener.address() as net.AddressInfo;
  return {
    server: `https://127.0.0.1:${port}`,
    open: () => sockets.size,
    async close() {
      for (const socket of sockets) socket.destroy();
      await new Promise((resolve) => listener.close(resolve));
    },
  };
}
