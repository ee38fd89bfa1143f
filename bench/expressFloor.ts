/**
 * The floor bench:http compares against: a bare express 5 app that answers the same requests
 * (`POST /catalog/items` with a parsed JSON body, `GET /catalog/items/:itemId`) with no work
 * behind them — no validation, no authentication, no database, no events. Whatever latency it
 * shows under the same load on the same machine is not seams' to remove.
 * Started by bench/http.ts as a child process; prints its port on stdout once listening.
 */
import { randomUUID } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import express from 'express';

const app = express();
app.disable('x-powered-by');
app.set('etag', false);
app.use(express.json({ limit: '1mb' }));
app.post('/catalog/items', (_req, res) => {
  res.status(201).json({ itemId: randomUUID() });
});
app.get('/catalog/items/:itemId', (req, res) => {
  res.json({ itemId: req.params.itemId, title: 'bench item', priceCents: 1, ownerId: req.params.itemId, ownerDisplayName: 'Bench' });
});
const server = app.listen(0, '127.0.0.1', () => {
  console.log((server.address() as AddressInfo).port);
});
process.on('SIGTERM', () => server.close(() => process.exit(0)));
