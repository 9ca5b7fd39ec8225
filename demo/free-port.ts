import net from 'net';

/** A port the demo is about to listen on, and the variable that moves it. */
export class PortInUse extends Error {
  constructor(
    readonly port: number,
    readonly variable: string
  ) {
    super(
      `port ${port} on 127.0.0.1 is in use (another demo still running?): set ${variable} to a free port, e.g. ${variable}=${port + 100} npm start`
    );
  }
}

/**
 * Fails with the variable to set when the port is taken. EG listens without
 * an error handler: a clash would otherwise end the demo with a stack trace
 * that names no setting.
 */
export function requireFreePort(port: number, variable: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const probe = net.createServer();
    probe.once('error', (err: NodeJS.ErrnoException) =>
      reject(err.code === 'EADDRINUSE' || err.code === 'EACCES' ? new PortInUse(port, variable) : err)
    );
    probe.listen(port, '127.0.0.1', () => probe.close(() => resolve()));
  });
}
