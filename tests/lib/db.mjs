// db.mjs - direct PostgreSQL and Redis access for assertions in tests.
import pg from 'pg';
import { createClient } from 'redis';

/** How the tests connect to the test database (tests/run.sh sets DB_*). */
export function dbConfig() {
  return {
    host: process.env.DB_HOST, port: Number(process.env.DB_PORT),
    database: process.env.DB_NAME, user: process.env.DB_USER,
    password: process.env.DB_PASSWORD,
  };
}

let pool;
/** Runs a parameterised query on the test database; returns rows. */
export async function sql(text, params = []) {
  if (!pool) {
    pool = new pg.Pool({ ...dbConfig(), max: 2 });
    pool.on('error', () => {}); // server restarts in tests
  }
  return (await pool.query(text, params)).rows;
}

/**
 * The plan (EXPLAIN, COSTS OFF) of a query with sequential scans priced
 * out, on a connection of its own: a plan that still has one has no index
 * to use.
 */
export async function planWithoutSeqScans(text, params = []) {
  const c = new pg.Client(dbConfig());
  await c.connect();
  try {
    await c.query('SET enable_seqscan = off');
    return (await c.query(`EXPLAIN (COSTS OFF) ${text}`, params)).rows.map((r) => r['QUERY PLAN']).join('\n');
  } finally {
    await c.end();
  }
}

export async function closeDb() {
  if (pool) await pool.end().catch(() => {});
  pool = undefined;
}

/** A connected Redis client (call .quit() when done). */
export async function redis() {
  const c = createClient({
    socket: { host: process.env.REDIS_HOST, port: Number(process.env.REDIS_PORT),
      reconnectStrategy: false },
    password: process.env.REDIS_PASSWORD || undefined,
  });
  c.on('error', () => {});
  await c.connect();
  return c;
}

/**
 * Subscribes to Redis channels (patterns allowed with psubscribe: true);
 * returns { messages: [{channel, data}], next(pred, ms), close() }.
 */
export async function subscribe(channels, { pattern = false } = {}) {
  const c = await redis();
  const messages = [];
  const waiters = [];
  const onMsg = (message, channel) => {
    const m = { channel, data: JSON.parse(message), at: Date.now() };
    messages.push(m);
    for (const w of [...waiters]) if (w.pred(m)) { waiters.splice(waiters.indexOf(w), 1); w.resolve(m); }
  };
  for (const ch of [].concat(channels)) {
    if (pattern) await c.pSubscribe(ch, onMsg); else await c.subscribe(ch, onMsg);
  }
  return {
    messages,
    next(pred = () => true, ms = 5000) {
      const found = messages.find(pred);
      if (found) return Promise.resolve(found);
      return new Promise((resolve, reject) => {
        const w = { pred, resolve };
        waiters.push(w);
        setTimeout(() => { const i = waiters.indexOf(w); if (i >= 0) { waiters.splice(i, 1); reject(new Error('no matching event')); } }, ms);
      });
    },
    async close() { await c.quit().catch(() => {}); },
  };
}
