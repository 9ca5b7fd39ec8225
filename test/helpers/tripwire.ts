import net from 'net';

/** A TCP listener on 127.0.0.1 that only counts the connections made to it: proof that nothing reached it. */
export interface Tripwire {
  port: number;
  connections: number;
  close(): Promise<void>;
}

export function startTripwire(): Promise<Tripwire> {
  const sockets = new Set<net.Socket>();
  const wire = { connections: 0 } as Tripwire;
  const server = net.createServer((socket) => {
    wire.connections += 1;
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => undefined);
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      wire.port = (server.address() as net.AddressInfo).port;
      wire.close = () =>
        new Promise((done) => {
          for (const socket of sockets) socket.destroy();
          server.close(() => done());
        });
      resolve(wire);
    });
  });
}
