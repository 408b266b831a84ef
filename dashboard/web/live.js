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
  let connectedBefore = false;
  es.addEventListener("hello", () => {
    onState("live");
    // After a reconnect, changes made while the stream was down were never sent: pages reload.
    if (connectedBefore) for (const l of listeners) l({ news: "resync", alert: null });
    connectedBefore = true;
  });
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

/**
 * Wraps a page's async load-and-render so that calls never overlap and the last call's data is the one
 * shown: a call made while one runs (a live change arriving during the first load) runs once more after it.
 * Without this, a slower, older answer could replace a newer one, and the page would miss the change.
 * @template A @param {(arg: A) => Promise<void>} load @returns {(arg: A) => Promise<void>}
 */
export function latest(load) {
  /** @type {Promise<void> | null} */
  let running = null;
  let again = false;
  /** @type {A} */
  let lastArg;
  return (arg) => {
    lastArg = arg;
    if (running) {
      again = true;
      return running;
    }
    running = (async () => {
      try {
        await load(lastArg);
        while (again) {
          again = false;
          await load(lastArg);
        }
      } finally {
        running = null;
      }
    })();
    return running;
  };
}

/** A change is `{ news, alert }`; `{ news: "resync", alert: null }` after a reconnect. @param {(change: { news: string, alert: any }) => void} fn @returns {() => void} */
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
