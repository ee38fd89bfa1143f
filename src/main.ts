/**
 * Composition root: opens the event store in the data directory and serves HTTP.
 * (The module list joins here as modules land.)
 */
import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import express from 'express';
import { EventRegistry, SqliteEventStore } from './kernel/index.js';

const dataDir = resolve(process.env.SEAMS_DATA_DIR ?? './data');
const port = Number(process.env.PORT ?? 3000);
mkdirSync(dataDir, { recursive: true });

const store = await SqliteEventStore.open({ filename: join(dataDir, 'events.sqlite'), registry: new EventRegistry() });
const app = express();
app.get('/health/live', (_req, res) => {
  res.json({ status: 'live' });
});
const server = app.listen(port, () => console.log(`seams listening on http://localhost:${port} (data in ${dataDir})`));

process.once('SIGTERM', () => server.close(() => void store.close()));
process.once('SIGINT', () => server.close(() => void store.close()));
