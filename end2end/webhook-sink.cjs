// A webhook receiver for the browser tests (issue 28): each project's portal POSTs its
// provider events to /<project>; the receiver keeps them in memory with their headers, and the
// tests read them back: GET /received?project=<name> answers [{ headers, body }] in the order
// received; GET /healthz answers 200.
const http = require('node:http');

const port = Number(process.env.WEBHOOK_SINK_PORT || 2527);
const received = [];

http
  .createServer((req, res) => {
    const url = new URL(req.url, `http://127.0.0.1:${port}`);
    if (req.method === 'GET' && url.pathname === '/healthz') {
      res.writeHead(200).end('ok');
      return;
    }
    if (req.method === 'GET' && url.pathname === '/received') {
      const project = url.searchParams.get('project');
      const list = received.filter((r) => r.project === project);
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(list));
      return;
    }
    if (req.method === 'POST') {
      const chunks = [];
      req.on('data', (chunk) => chunks.push(chunk));
      req.on('end', () => {
        received.push({
          project: url.pathname.slice(1),
          headers: req.headers,
          body: Buffer.concat(chunks).toString('utf8'),
        });
        res.writeHead(204).end();
      });
      return;
    }
    res.writeHead(404).end();
  })
  .listen(port, '127.0.0.1');
