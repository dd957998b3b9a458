// The one websocket module of the SPA: a single connection to the relay at
// /ws (same origin, cookie auth), reconnects with back-off + jitter, a
// heartbeat, and re-sends the focus frame after every reconnect. The UI
// subscribes to events and to "connected" notifications; it never opens its
// own socket.

import type { components } from '@/shared/api/schema.gen';
import { backoffDelay } from './backoff';

/** Every frame the relay sends: a union told apart by `type`, generated
 * from relay/protocol.yaml (see /reference/). */
export type ServerEvent = components['schemas']['ServerEvent'];
/** The frame of one `type`. */
export type ServerEventOf<T extends ServerEvent['type']> = Extract<ServerEvent, { type: T }>;
/** Every frame a client may send (relay/protocol.yaml). */
export type ClientFrame = components['schemas']['ClientFrame'];

export type SocketStatus = 'idle' | 'connecting' | 'open' | 'reconnecting';

type EventListener = (event: ServerEvent) => void;
/** `reconnect` is false for the first connection of a session. */
type ConnectedListener = (info: { reconnect: boolean; userId: number | null }) => void;
type StatusListener = (status: SocketStatus) => void;

export interface WebSocketLike {
  readyState: number;
  onopen: ((ev: unknown) => void) | null;
  onclose: ((ev: { code: number }) => void) | null;
  onerror: ((ev: unknown) => void) | null;
  onmessage: ((ev: { data: unknown }) => void) | null;
  send(data: string): void;
  close(code?: number, reason?: string): void;
}

export interface RealtimeOptions {
  url?: () => string;
  createSocket?: (url: string) => WebSocketLike;
  /** Runs before each reconnect; resolve false to stop (e.g. signed out). */
  beforeReconnect?: () => Promise<boolean>;
  random?: () => number;
}

const OPEN = 1;
/** How long a handshake may take before we try again (the relay allows 10 s). */
export const CONNECT_TIMEOUT_MS = 10_000;

/**
 * When to ping and when to give up, from the `heartbeat_ms` the relay
 * announced in `hello`: a ping after `idle` without any frame, the
 * connection dead when that ping is unanswered after `pongTimeout`, checked
 * every `tick`. A connection that dies silently is noticed within
 * idle + pongTimeout + 2 ticks = 0.87 × heartbeat_ms (under 22 s for 25 s).
 */
export function heartbeatTiming(hb: number): { idle: number; pongTimeout: number; tick: number } {
  const third = Math.round(hb / 3);
  return { idle: third, pongTimeout: third, tick: Math.min(5_000, Math.max(200, Math.round(hb / 10))) };
}

function defaultUrl(): string {
  const proto = window.location.protocol === 'https:' ? 'wss:' : 'ws:';
  return `${proto}//${window.location.host}/ws`;
}

export class RealtimeSocket {
  private socket: WebSocketLike | null = null;
  private status: SocketStatus = 'idle';
  private attempt = 0;
  private everConnected = false;
  private wanted = false;
  private focusGroup: number | null = null;
  private reconnectTimer: ReturnType<typeof setTimeout> | null = null;
  private heartbeatTimer: ReturnType<typeof setInterval> | null = null;
  private connectTimer: ReturnType<typeof setTimeout> | null = null;
  private lastFrameAt = 0;
  /** When our `ping` went out with no frame received since; 0 = none outstanding. */
  private pingSentAt = 0;
  private readonly events = new Set<EventListener>();
  private readonly connected = new Set<ConnectedListener>();
  private readonly statuses = new Set<StatusListener>();
  private readonly opts: RealtimeOptions;

  constructor(opts: RealtimeOptions = {}) {
    this.opts = opts;
  }

  /** Sets the check that runs before each reconnect (see RealtimeOptions). */
  setBeforeReconnect(fn: (() => Promise<boolean>) | undefined): void {
    this.opts.beforeReconnect = fn;
  }

  get currentStatus(): SocketStatus {
    return this.status;
  }

  start(): void {
    if (this.wanted) return;
    this.wanted = true;
    this.attempt = 0;
    this.everConnected = false;
    this.open();
  }

  stop(): void {
    this.wanted = false;
    this.clearTimers();
    const s = this.socket;
    this.socket = null;
    if (s) {
      s.onclose = null;
      s.onmessage = null;
      s.onerror = null;
      s.close(1000, 'bye');
    }
    this.setStatus('idle');
  }

  /** Sends a frame if connected; returns false when it was dropped. */
  send(frame: ClientFrame): boolean {
    if (!this.socket || this.socket.readyState !== OPEN || this.status !== 'open') return false;
    this.socket.send(JSON.stringify(frame));
    return true;
  }

  /** Remembers the focused group and tells the relay (again after reconnects). */
  setFocus(groupId: number | null): void {
    if (this.focusGroup === groupId) return;
    this.focusGroup = groupId;
    this.send({ type: 'focus', group_id: groupId });
  }

  onEvent(listener: EventListener): () => void {
    this.events.add(listener);
    return () => this.events.delete(listener);
  }

  onConnected(listener: ConnectedListener): () => void {
    this.connected.add(listener);
    return () => this.connected.delete(listener);
  }

  onStatus(listener: StatusListener): () => void {
    this.statuses.add(listener);
    return () => this.statuses.delete(listener);
  }

  /** Drops the current connection and reconnects now (e.g. browser back online). */
  reconnectNow(): void {
    if (!this.wanted) return;
    if (this.status === 'open') return;
    if (this.reconnectTimer) clearTimeout(this.reconnectTimer);
    this.reconnectTimer = null;
    this.attempt = 0;
    this.open();
  }

  private setStatus(status: SocketStatus): void {
    if (this.status === status) return;
    this.status = status;
    for (const l of this.statuses) l(status);
  }

  private clearTimers(): void {
    if (this.reconnectTimer) clearTimeout(this.reconnectTimer);
    if (this.heartbeatTimer) clearInterval(this.heartbeatTimer);
    if (this.connectTimer) clearTimeout(this.connectTimer);
    this.reconnectTimer = null;
    this.heartbeatTimer = null;
    this.connectTimer = null;
  }

  /** Gives up on the current socket without waiting for a close that may
   * never come (a silent peer), and schedules the reconnect. */
  private abandon(): void {
    const s = this.socket;
    if (!s) return;
    const onclose = s.onclose;
    s.onclose = null;
    s.onmessage = null;
    s.onerror = null;
    try {
      s.close();
    } catch {
      /* already closing */
    }
    onclose?.({ code: 4000 });
  }

  private open(): void {
    if (!this.wanted) return;
    this.setStatus(this.everConnected ? 'reconnecting' : 'connecting');
    const url = (this.opts.url ?? defaultUrl)();
    let s: WebSocketLike;
    try {
      s = this.opts.createSocket ? this.opts.createSocket(url) : (new WebSocket(url) as unknown as WebSocketLike);
    } catch {
      this.scheduleReconnect();
      return;
    }
    this.socket = s;
    s.onmessage = (ev) => this.handleFrame(ev.data);
    s.onerror = () => {
      /* onclose follows and schedules the reconnect */
    };
    s.onclose = () => {
      if (this.socket !== s) return;
      this.socket = null;
      if (this.heartbeatTimer) clearInterval(this.heartbeatTimer);
      if (this.connectTimer) clearTimeout(this.connectTimer);
      this.heartbeatTimer = null;
      this.connectTimer = null;
      this.scheduleReconnect();
    };
    // A relay that accepts the TCP connection but never answers (stopped,
    // overloaded) would leave us "connecting" for minutes: the handshake
    // gets as long as the relay itself allows one (relay/PROTOCOL.md).
    if (this.connectTimer) clearTimeout(this.connectTimer);
    this.connectTimer = setTimeout(() => {
      this.connectTimer = null;
      if (this.socket === s && this.status !== 'open') this.abandon();
    }, CONNECT_TIMEOUT_MS);
  }

  private scheduleReconnect(): void {
    if (!this.wanted) return;
    this.setStatus('reconnecting');
    const delay = backoffDelay(this.attempt, { random: this.opts.random });
    this.attempt += 1;
    this.reconnectTimer = setTimeout(async () => {
      this.reconnectTimer = null;
      if (this.opts.beforeReconnect) {
        let go = true;
        try {
          go = await this.opts.beforeReconnect();
        } catch {
          go = true; // server unreachable: keep trying with back-off
        }
        if (!go) {
          this.stop();
          return;
        }
      }
      this.open();
    }, delay);
  }

  private handleFrame(data: unknown): void {
    this.lastFrameAt = Date.now();
    if (typeof data !== 'string') return;
    let parsed: unknown;
    try {
      parsed = JSON.parse(data);
    } catch {
      return;
    }
    if (!parsed || typeof parsed !== 'object' || typeof (parsed as { type?: unknown }).type !== 'string') return;
    // The relay forwards what the programs publish, as the reference
    // describes; a type this build does not know falls through every
    // listener's switch.
    const event = parsed as ServerEvent;
    if (event.type === 'hello') {
      this.onHello(event);
      return;
    }
    if (event.type === 'pong') return;
    for (const l of this.events) l(event);
  }

  private onHello(event: ServerEventOf<'hello'>): void {
    const reconnect = this.everConnected;
    this.everConnected = true;
    this.attempt = 0;
    this.setStatus('open');
    if (this.focusGroup !== null) this.send({ type: 'focus', group_id: this.focusGroup });
    if (this.connectTimer) clearTimeout(this.connectTimer);
    this.connectTimer = null;
    const hb = typeof event.heartbeat_ms === 'number' && event.heartbeat_ms > 0 ? event.heartbeat_ms : 25_000;
    const t = heartbeatTiming(hb);
    this.pingSentAt = 0;
    if (this.heartbeatTimer) clearInterval(this.heartbeatTimer);
    this.heartbeatTimer = setInterval(() => {
      const now = Date.now();
      if (this.pingSentAt > this.lastFrameAt) {
        // Our ping is unanswered and nothing else came: the connection is
        // dead even if TCP does not know it yet. Only an unanswered ping
        // counts, so a tab whose timers the browser throttled never
        // mistakes its own silence for the relay's.
        if (now - this.pingSentAt > t.pongTimeout) this.abandon();
        return;
      }
      if (now - this.lastFrameAt >= t.idle && this.send({ type: 'ping' })) this.pingSentAt = now;
    }, t.tick);
    const userId = typeof event.user_id === 'number' ? event.user_id : null;
    for (const l of this.connected) l({ reconnect, userId });
  }
}

/** The app's single connection. */
export const realtime = new RealtimeSocket();
