import { get, serverNow } from "../api.js";
import { badge, fmtAge, h, replace } from "../dom.js";
import { getLang, t } from "../i18n.js";
import { latest, setSound, soundOn } from "../live.js";
import { statusBadge } from "./alert.js";

/** The grid worker's alert inbox: most severe first, then longest waiting; live. @param {HTMLElement} view @param {string[]} params @param {any} ctx */
export default async function inbox(view, params, ctx) {
  const status = params[0] === "closed" ? "closed" : "active";
  const list = h("div.inbox", { "data-testid": "inbox" });
  const soundBtn = h("button.small.ghost", { type: "button", "data-testid": "sound-toggle" });
  const paintSound = () => {
    soundBtn.textContent = t(soundOn() ? "inbox.soundOn" : "inbox.soundOff");
  };
  soundBtn.addEventListener("click", () => {
    setSound(!soundOn());
    paintSound();
  });
  paintSound();
  /** @param {number | null} changed */
  const load = latest(async (changed) => {
    const [{ alerts }, now] = await Promise.all([get(`/api/alerts?status=${status}&limit=200`), serverNow()]);
    replace(
      list,
      alerts.length === 0
        ? h("p.card.calm", {
            "data-testid": "inbox-empty",
            text: t(status === "active" ? "inbox.empty" : "inbox.emptyClosed"),
          })
        : null,
      alerts.map((/** @type {any} */ a) =>
        h(
          `a.alert-card.sev-${a.severity}${a.id === changed ? ".flash" : ""}`,
          { href: `#/alert/${a.id}`, "data-alert": a.id, "data-rule": a.rule },
          h(
            "div.row",
            null,
            badge(a.severity, t(`sev.${a.severity}`)),
            h("strong.grow", { text: t(`rule.${a.rule}`) }),
            statusBadge(a),
          ),
          h("div.resident", { text: a.household?.resident ?? a.householdId }),
          h("div.muted", { text: a.household?.address ?? "" }),
          h(
            "div.row.muted",
            null,
            h("span.grow", { text: a.evidence?.message?.[getLang()] ?? "" }),
            h("span", { text: fmtAge(a.raisedAt, now) }),
          ),
        ),
      ),
    );
  });
  view.append(
    h("div.row.head", null, h("h1.grow", { text: t("nav.inbox") }), soundBtn),
    h(
      "div.tabs",
      null,
      h(`a${status === "active" ? ".active" : ""}`, { href: "#/inbox", text: t("inbox.active") }),
      h(`a${status === "closed" ? ".active" : ""}`, { href: "#/inbox/closed", text: t("inbox.closed") }),
    ),
    list,
  );
  // Listen before the first load: a change committed while it is in flight is then loaded again.
  ctx.onLive((/** @type {any} */ c) => void load(c.alert?.id ?? null));
  await load(null);
}
