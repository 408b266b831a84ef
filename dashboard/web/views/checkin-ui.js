import { get, put, seg } from "../api.js";
import { field, h, replace, section } from "../dom.js";
import { act } from "../errors.js";
import { t } from "../i18n.js";

const CHANNELS = ["button", "call"];

/**
 * The home's resident check-in before dispatch (docs/notifications.md): on/off, minutes, channels.
 * Carers only; the API refuses family (403) and anyone outside the home's scope (404).
 * @param {string} householdId
 */
export function checkInSection(householdId) {
  const url = `/api/households/${seg(householdId)}/checkin`;
  const body = h("div", { "data-testid": "checkin" });

  async function load() {
    const s = await get(url);
    /** @type {HTMLFormElement} */
    const f = /** @type {any} */ (
      h(
        "form.checkin-form",
        {
          onsubmit: async (/** @type {SubmitEvent} */ e) => {
            e.preventDefault();
            const data = new FormData(f);
            const next = {
              enabled: data.get("enabled") === "on",
              minutes: Number(data.get("minutes")),
              channels: CHANNELS.filter((c) => data.get(`channel-${c}`) === "on"),
            };
            if (await act(f.querySelector("button[type=submit]"), () => put(url, next), t("checkin.saved")))
              await load();
          },
        },
        h("p.muted.small", { text: t("checkin.help") }),
        h(
          "label.check",
          null,
          h("input", { type: "checkbox", name: "enabled", checked: s.enabled }),
          ` ${t("checkin.enabled")}`,
        ),
        field(
          "checkin.minutes",
          h("input", {
            name: "minutes",
            type: "number",
            min: 5,
            max: 120,
            step: 1,
            required: true,
            value: s.minutes,
          }),
        ),
        CHANNELS.map((c) =>
          h(
            "label.check",
            null,
            h("input", { type: "checkbox", name: `channel-${c}`, checked: s.channels.includes(c) }),
            ` ${t(`checkin.channel.${c}`)}`,
          ),
        ),
        s.callAvailable ? null : h("p.muted.small", { text: t("checkin.noCall") }),
        h("div.row", null, h("button.primary", { type: "submit", text: t("common.save") })),
      )
    );
    replace(body, f);
  }
  const card = section("checkin.title", body);
  // A service without the check-in routes (the dashboard alone, in tests) shows no card rather than an error.
  load().catch(() => card.remove());
  return card;
}
