// Live alert changes over Server-Sent Events (GET /api/live), and an optional short beep for workers.
const SOUND_KEY = "jinlin.sound";

/** @type {EventSource | null} */
let source = null;
/** @type {Set<(change: { news: string, alert: any }) => void>} */
const listeners = new Set();
/** @type {(state: "live" | "down") => void} */
let onState = () => {};

/**
 * Opens the stream (once per sign-in). `signedOut` runs when the server ends it because the session ended,
 * or when the browser stops retrying (a 401).
 * @param {{ onState: (state: "live" | "down") => void, signedOut: () => void, beep: (news: string) => boolean }} hooks
 */
export function connectLive(hooks) {
  disconnectLive();
  onState = hooks.onState;
  const es = new EventSource("/api/live");
  source = es;
  es.addEventListener("hello", () => onState("live"));
  es.addEventListener("alert", (ev) => {
    const change = JSON.parse(/** @type {MessageEvent} */ (ev).data);
    if (hooks.beep(change.news)) beep();
    for (const l of listeners) l(change);
  });
  es.addEventListener("signed-out", () => {
    disconnectLive();
    hooks.signedOut();
  });
  es.addEventListener("error", () => {
    onState("down");
    // EventSource retries by itself after a network error; after an HTTP error (401) it gives up.
    if (es.readyState === EventSource.CLOSED && source === es) {
      source = null;
      hooks.signedOut();
    }
  });
}

export function disconnectLive() {
  source?.close();
  source = null;
}

/** @param {(change: { news: string, alert: any }) => void} fn @returns {() => void} */
export function onLive(fn) {
  listeners.add(fn);
  return () => listeners.delete(fn);
}

export function soundOn() {
  try {
    return localStorage.getItem(SOUND_KEY) === "on";
  } catch {
    return false;
  }
}

/** @type {AudioContext | null} */
let audio = null;

/** Turning the sound on is a click, which is also what lets the page start audio. @param {boolean} on */
export function setSound(on) {
  try {
    localStorage.setItem(SOUND_KEY, on ? "on" : "off");
  } catch {
    // not remembered
  }
  if (on) {
    audio ??= new AudioContext();
    void audio.resume();
    beep();
  }
}

/** Two short tones generated with WebAudio: no sound file to fetch. */
export function beep() {
  if (!soundOn()) return;
  audio ??= new AudioContext();
  const start = audio.currentTime;
  for (const [i, freq] of [880, 1175].entries()) {
    const osc = audio.createOscillator();
    const gain = audio.createGain();
    osc.type = "sine";
    osc.frequency.value = freq;
    gain.gain.setValueAtTime(0.0001, start + i * 0.18);
    gain.gain.exponentialRampToValueAtTime(0.3, start + i * 0.18 + 0.02);
    gain.gain.exponentialRampToValueAtTime(0.0001, start + i * 0.18 + 0.16);
    osc.connect(gain).connect(audio.destination);
    osc.start(start + i * 0.18);
    osc.stop(start + i * 0.18 + 0.17);
  }
}
