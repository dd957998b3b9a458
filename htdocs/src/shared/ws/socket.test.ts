import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { backoffDelay } from './backoff';
import { CONNECT_TIMEOUT_MS, RealtimeSocket, type WebSocketLike } from './socket';

class FakeSocket implements WebSocketLike {
  readyState = 0;
  sent: string[] = [];
  onopen: WebSocketLike['onopen'] = null;
  onclose: WebSocketLike['onclose'] = null;
  onerror: WebSocketLike['onerror'] = null;
  onmessage: WebSocketLike['onmessage'] = null;
  send(d: string) {
    this.sent.push(d);
  }
  close() {
    this.readyState = 3;
  }
  serverSays(obj: unknown) {
    this.readyState = 1;
    this.onmessage?.({ data: JSON.stringify(obj) });
  }
  drop() {
    this.readyState = 3;
    this.onclose?.({ code: 1006 });
  }
}

describe('backoffDelay', () => {
  it('grows exponentially up to the cap, with jitter in the upper half', () => {
    expect(backoffDelay(0, { random: () => 0 })).toBe(250);
    expect(backoffDelay(0, { random: () => 1 })).toBe(500);
    expect(backoffDelay(3, { random: () => 1 })).toBe(4000);
    expect(backoffDelay(20, { random: () => 1 })).toBe(30000);
    expect(backoffDelay(20, { random: () => 0 })).toBe(15000);
  });
});

describe('RealtimeSocket', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it('reconnects with back-off, re-sends focus and reports the reconnect', async () => {
    const sockets: FakeSocket[] = [];
    const rt = new RealtimeSocket({
      url: () => 'ws://x/ws',
      createSocket: () => {
        const s = new FakeSocket();
        sockets.push(s);
        return s;
      },
      random: () => 1,
    });
    const connected: boolean[] = [];
    const events: string[] = [];
    rt.onConnected((i) => connected.push(i.reconnect));
    rt.onEvent((e) => events.push(e.type));
    rt.setFocus(5);
    rt.start();
    sockets[0].serverSays({ type: 'hello', user_id: 1, heartbeat_ms: 25000 });
    expect(connected).toEqual([false]);
    expect(sockets[0].sent.map((x) => JSON.parse(x))).toEqual([{ type: 'focus', group_id: 5 }]);
    sockets[0].serverSays({ type: 'message.created', message: {} });
    expect(events).toEqual(['message.created']);

    sockets[0].drop();
    expect(rt.currentStatus).toBe('reconnecting');
    await vi.advanceTimersByTimeAsync(499);
    expect(sockets).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(1);
    expect(sockets).toHaveLength(2);
    sockets[1].drop();
    await vi.advanceTimersByTimeAsync(999);
    expect(sockets).toHaveLength(2);
    await vi.advanceTimersByTimeAsync(1);
    expect(sockets).toHaveLength(3);
    sockets[2].serverSays({ type: 'hello', user_id: 1, heartbeat_ms: 25000 });
    expect(connected).toEqual([false, true]);
    expect(JSON.parse(sockets[2].sent[0])).toEqual({ type: 'focus', group_id: 5 });
    rt.stop();
  });

  it('stops reconnecting when beforeReconnect says so', async () => {
    const sockets: FakeSocket[] = [];
    const rt = new RealtimeSocket({
      url: () => 'ws://x/ws',
      createSocket: () => {
        const s = new FakeSocket();
        sockets.push(s);
        return s;
      },
      beforeReconnect: async () => false,
      random: () => 0,
    });
    rt.start();
    sockets[0].drop();
    await vi.advanceTimersByTimeAsync(10_000);
    expect(sockets).toHaveLength(1);
    expect(rt.currentStatus).toBe('idle');
  });

  it('drops frames while not connected', () => {
    const rt = new RealtimeSocket({ url: () => 'x', createSocket: () => new FakeSocket() });
    expect(rt.send({ type: 'ping' })).toBe(false);
  });

  function makeRt() {
    const sockets: FakeSocket[] = [];
    const rt = new RealtimeSocket({
      url: () => 'ws://x/ws',
      createSocket: () => {
        const s = new FakeSocket();
        sockets.push(s);
        return s;
      },
      random: () => 0,
    });
    return { rt, sockets };
  }
  const pings = (s: FakeSocket) => s.sent.filter((x) => JSON.parse(x).type === 'ping').length;

  it('notices a silently dead connection within the announced heartbeat', async () => {
    const { rt, sockets } = makeRt();
    rt.start();
    sockets[0].serverSays({ type: 'hello', user_id: 1, heartbeat_ms: 25000 });
    // The relay goes silent (no close, TCP still up): our ping is never answered.
    let detected = 0;
    for (let t = 0; t <= 25000 && rt.currentStatus === 'open'; t += 100) {
      await vi.advanceTimersByTimeAsync(100);
      detected = t + 100;
    }
    expect(rt.currentStatus).toBe('reconnecting');
    expect(detected).toBeLessThanOrEqual(25000);
    expect(pings(sockets[0])).toBe(1);
    await vi.advanceTimersByTimeAsync(300);
    expect(sockets).toHaveLength(2);
    rt.stop();
  });

  it('keeps a quiet connection whose pings are answered, even with late timers', async () => {
    const { rt, sockets } = makeRt();
    rt.start();
    const s = sockets[0];
    s.serverSays({ type: 'hello', user_id: 1, heartbeat_ms: 25000 });
    const origSend = s.send.bind(s);
    s.send = (d: string) => {
      origSend(d);
      if (JSON.parse(d).type === 'ping') queueMicrotask(() => s.serverSays({ type: 'pong' }));
    };
    await vi.advanceTimersByTimeAsync(5 * 60_000);
    expect(rt.currentStatus).toBe('open');
    expect(sockets).toHaveLength(1);
    // Pings only when idle: about every third of the heartbeat.
    expect(pings(s)).toBeGreaterThan(20);
    expect(pings(s)).toBeLessThan(45);
    rt.stop();
  });

  it('gives up on a handshake that never completes', async () => {
    const { rt, sockets } = makeRt();
    rt.start();
    await vi.advanceTimersByTimeAsync(CONNECT_TIMEOUT_MS + 300);
    expect(sockets.length).toBeGreaterThanOrEqual(2);
    sockets.at(-1)!.serverSays({ type: 'hello', user_id: 1, heartbeat_ms: 25000 });
    expect(rt.currentStatus).toBe('open');
    rt.stop();
  });
});
