/**
 * The bench's backend, as a process of its own so that it does not share an
 * event loop with the load generator. Prints its URL on the first line.
 *
 * It echoes the method and URL, not the headers (unlike the demo's echo
 * backend): a real API's answer does not grow with the identity headers a
 * gateway adds, and echoing them would charge every gateway that adds
 * headers a second time, for proxying a larger response.
 */
import http from 'http';
import type { AddressInfo } from 'net';

const server = http.createServer((req, res) => {
  req.resume();
  req.on('end', () => {
    const body = JSON.stringify({ method: req.method, url: req.url });
    res.writeHead(200, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(body) });
    res.end(body);
  });
});
server.once('error', (err) => {
  process.stderr.write(`echo backend failed to start: ${err}\n`);
  process.exit(1);
});
server.listen(0, '127.0.0.1', () => {
  process.stdout.write(`http://127.0.0.1:${(server.address() as AddressInfo).port}\n`);
});
