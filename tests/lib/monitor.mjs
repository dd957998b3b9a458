// monitor.mjs - the commands Redis runs while a test step runs (MONITOR on a raw socket).
import net from 'node:net';
import { sleep } from './api.mjs';

/** Every command Redis runs while fn() runs (MONITOR on a raw socket):
 * [{addr, args: [...]}]. */
export async function redisCommands(fn) {
  const sock = net.connect(Number(process.env.REDIS_PORT), process.env.REDIS_HOST);
  await new Promise((resolve, reject) => { sock.once('connect', resolve); sock.once('error', reject); });
  let text = '';
  sock.on('data', (d) => { text += d.toString('latin1'); });
  const send = (...args) => sock.write(`*${args.length}\r\n${args.map((a) => `$${Buffer.byteLength(a)}\r\n${a}\r\n`).join('')}`);
  if (process.env.REDIS_PASSWORD) send('AUTH', process.env.REDIS_PASSWORD);
  send('MONITOR');
  for (let i = 0; i < 100 && (text.match(/\+OK\r\n/g) || []).length < (process.env.REDIS_PASSWORD ? 2 : 1); i++) await sleep(10);
  const start = text.length;
  const res = await fn();
  await sleep(150);
  sock.destroy();
  // Not the commands a script runs (shown from "lua").
  const lines = text.slice(start).split('\r\n').filter((l) => /^\+\d/.test(l) && !/ \[\d+ lua\] /.test(l));
  const cmds = lines.map((l) => {
    const m = /^\+[\d.]+ \[\d+ ([^\]]+)\] (.*)$/.exec(l);
    return { addr: m[1], args: [...m[2].matchAll(/"((?:[^"\\]|\\.)*)"/g)].map((x) => x[1]) };
  });
  return { res, cmds };
}

