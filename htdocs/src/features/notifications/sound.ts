// The notification sound: a short two-tone chime made with WebAudio (no
// file to download). Browsers start audio only after a user gesture;
// unlockSound() is called from one (the settings' buttons).

let ctx: AudioContext | null = null;

function context(): AudioContext | null {
  if (ctx) return ctx;
  const Ctor = typeof window !== 'undefined' ? window.AudioContext : undefined;
  if (!Ctor) return null;
  ctx = new Ctor();
  return ctx;
}

/** Lets later sounds play (call from a click). */
export function unlockSound(): void {
  void context()?.resume().catch(() => undefined);
}

export function playChime(): void {
  const c = context();
  if (!c || c.state !== 'running') return;
  const t = c.currentTime;
  [880, 1320].forEach((freq, i) => {
    const osc = c.createOscillator();
    const gain = c.createGain();
    osc.frequency.value = freq;
    gain.gain.setValueAtTime(0.0001, t + i * 0.12);
    gain.gain.exponentialRampToValueAtTime(0.15, t + i * 0.12 + 0.02);
    gain.gain.exponentialRampToValueAtTime(0.0001, t + i * 0.12 + 0.2);
    osc.connect(gain).connect(c.destination);
    osc.start(t + i * 0.12);
    osc.stop(t + i * 0.12 + 0.22);
  });
}
