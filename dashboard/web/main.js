// The single-page app: the shell (header, language switch, role-aware navigation), the hash router and
// the live stream. Views live in views/*.js; each renders into the main element.
import { get, post, whenSignedOut } from "./api.js";
import { button, clear, h, replace } from "./dom.js";
import { errorText } from "./errors.js";
import { getLang, LANGS, langChosen, setLang, t } from "./i18n.js";
import { connectLive, disconnectLive, onLive } from "./live.js";
import { ROUTES } from "./routes.js";

/** @typedef {{ account: any, duties: any[], households: string[] }} Me */
/** @typedef {{ me: Me, go: (hash: string) => void, onLive: typeof onLive, refresh: () => void }} Ctx */

const NAV = {
  family: ["family", "register", "account"],
  worker: ["inbox", "homes", "registrations", "devices", "metrics", "account"],
  operator: [
    "inbox",
    "homes",
    "registrations",
    "devices",
    "people",
    "rules",
    "audit",
    "notifications",
    "metrics",
    "account",
  ],
};
/** @type {Me | null} */
let me = null;
/** @type {(() => void)[]} */
let cleanups = [];
let liveState = "down";
/** Counts renders, so a slower earlier one cannot overwrite the page that replaced it. */
let renders = 0;

const $ = (/** @type {string} */ id) => /** @type {HTMLElement} */ (document.getElementById(id));

function go(/** @type {string} */ hash) {
  if (location.hash === hash) void render();
  else location.hash = hash;
}

function home() {
  return me?.account.role === "family" ? "#/family" : "#/inbox";
}

function renderTop() {
  const other = LANGS.find((l) => l !== getLang()) ?? "en";
  replace(
    $("top"),
    h("a.brand", { href: "#/", text: t("app.name") }),
    me
      ? h(`span.live.${liveState}`, {
          // A coloured dot: its state is also given in words, for screen readers.
          role: "img",
          title: t(`live.${liveState}`),
          "aria-label": t(`live.${liveState}`),
          "data-live": liveState,
        })
      : null,
    h("span.spacer"),
    h("button.lang", {
      type: "button",
      "data-testid": "lang",
      lang: other,
      text: t("lang.switch"),
      onclick: () => {
        setLang(other);
        void render();
      },
    }),
    me ? button("nav.logout", { class: "ghost", "data-testid": "logout", onclick: logout }) : null,
  );
  const nav = $("nav");
  clear(nav);
  if (!me) return;
  const current = location.hash.split("/")[1] ?? "";
  for (const item of NAV[/** @type {keyof typeof NAV} */ (me.account.role)] ?? []) {
    nav.appendChild(
      h(`a${current === item ? ".active" : ""}`, {
        href: `#/${item}`,
        "data-nav": item,
        text: t(`nav.${item}`),
        // The same link again reloads the page's data (no hashchange fires).
        onclick: (/** @type {MouseEvent} */ e) => {
          if (location.hash !== `#/${item}`) return;
          e.preventDefault();
          void render();
        },
      }),
    );
  }
}

async function logout() {
  await post("/api/auth/logout").catch(() => {});
  signedOut();
}

function signedOut() {
  me = null;
  disconnectLive();
  go("#/login");
}

async function loadMe() {
  try {
    me = await get("/api/auth/me");
  } catch {
    me = null;
  }
  if (me && !langChosen()) setLang(me.account.language, false);
  if (me)
    connectLive({
      onState: (s) => {
        liveState = s;
        const dot = document.querySelector(".live");
        if (dot) {
          dot.className = `live ${s}`;
          dot.setAttribute("data-live", s);
          dot.setAttribute("title", t(`live.${s}`));
          dot.setAttribute("aria-label", t(`live.${s}`));
        }
      },
      signedOut,
      beep: (news) => me?.account.role !== "family" && (news === "raised" || news === "escalated"),
    });
}

async function render() {
  for (const c of cleanups) c();
  cleanups = [];
  const [, name = "", ...params] = location.hash.split("/");
  const view = $("view");
  const publicView = name === "login" || name === "signup";
  if (!me && !publicView) return go("#/login");
  if (me && (publicView || name === "")) return go(home());
  renderTop();
  const route = ROUTES[name];
  if (!route || (me && route.roles && !route.roles.includes(me.account.role)))
    return go(me ? home() : "#/login");
  clear(view);
  view.className = `view-${name}`;
  /** @type {Ctx} */
  const ctx = {
    me: /** @type {Me} */ (me),
    go,
    refresh: () => void render(),
    onLive: (fn) => {
      const off = onLive(fn);
      cleanups.push(off);
      return off;
    },
  };
  const seq = ++renders;
  try {
    const mod = await route.load();
    await mod.default(view, params.map(decodeURIComponent), ctx, { signedIn: onSignedIn });
  } catch (err) {
    // A later render owns the view now: this one's error (often a request it aborted) is not shown.
    if (seq === renders) replace(view, h("p.error", { text: errorText(err) }));
  }
  window.scrollTo(0, 0);
}

/** After sign-in or sign-up: load who we are and go to the role's first page. */
async function onSignedIn() {
  await loadMe();
  go(home());
}

whenSignedOut(() => {
  if (me) signedOut();
});
window.addEventListener("hashchange", () => void render());
setLang(getLang(), false);
void loadMe().then(render);
