// The Express ceiling: a bare Express 5 app answering "hello", measured under the same load as the
// Express resource servers beside it. Prints `{"url": ...}` as one JSON line.
import express from 'express';

const app = express();
app.use((_req, res) => {
  res.json({ hello: 'world' });
});
const server = app.listen(0, '127.0.0.1', () => {
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  process.stdout.write(`${JSON.stringify({ url: `http://127.0.0.1:${port}/` })}\n`);
});
process.on('SIGTERM', () => server.close(() => process.exit(0)));
