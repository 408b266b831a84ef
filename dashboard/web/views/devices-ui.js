import { get, post, seg } from "../api.js";
import { badge, button, field, fmtTime, h, replace, section, toast } from "../dom.js";
import { act } from "../errors.js";
import { t } from "../i18n.js";

const KINDS = ["water", "door", "motion", "power", "climate", "button"];

/** MQTT credentials, shown once (only their hash is kept), with copy buttons. @param {{ username: string, password: string }} mqtt */
export function credentialsBox(mqtt) {
  const row = (/** @type {string} */ key, /** @type {string} */ value) => {
    const input = /** @type {HTMLInputElement} */ (
      h("input", { readonly: true, value, "data-testid": `cred-${key}` })
    );
    return field(
      `cred.${key}`,
      h(
        "div.row",
        null,
        input,
        button("cred.copy", { class: "small", "data-copy": key, onclick: () => copy(input) }),
      ),
    );
  };
  return h(
    "div.credentials",
    { "data-testid": "credentials", role: "alert" },
    h("strong", { text: t("cred.once") }),
    row("username", mqtt.username),
    row("password", mqtt.password),
  );
}

/** @param {HTMLInputElement} input */
async function copy(input) {
  try {
    await navigator.clipboard.writeText(input.value);
  } catch {
    // Plain-HTTP installs have no clipboard API: select the text and use the legacy command.
    input.select();
    document.execCommand("copy");
  }
  toast(t("cred.copied"));
}

/** A home's devices; operators provision, rotate and revoke. @param {string} householdId @param {boolean} operator @param {string} [timeZone] the home's */
export function devicesSection(householdId, operator, timeZone) {
  const list = h("div.list", { "data-testid": "devices" });
  const shown = h("div");
  const load = async () => {
    const { devices } = await get(`/api/households/${seg(householdId)}/devices`);
    replace(
      list,
      devices.length === 0 ? h("p.muted", { text: t("dev.none") }) : null,
      devices.map((/** @type {any} */ d) =>
        h(
          "div.item",
          { "data-device": d.id },
          h(
            "div.grow",
            null,
            h("strong", { text: `${t(`kind.${d.kind}`)} · ${d.id}` }),
            h("div.muted", { text: t("dev.lastSeen", { at: fmtTime(d.lastSeenAt, timeZone) }) }),
          ),
          d.revokedAt
            ? badge("revoked", t("dev.revoked"))
            : operator
              ? [
                  button("dev.rotate", {
                    class: "small",
                    "data-action": "rotate",
                    onclick: (/** @type {MouseEvent} */ e) =>
                      act(/** @type {any} */ (e.currentTarget), async () => {
                        if (!confirm(t("dev.confirmRotate"))) return;
                        const r = await post(`/api/devices/${seg(d.id)}/rotate`);
                        replace(shown, credentialsBox(r.mqtt));
                      }),
                  }),
                  button("dev.revoke", {
                    class: "small danger",
                    "data-action": "revoke",
                    onclick: (/** @type {MouseEvent} */ e) =>
                      act(
                        /** @type {any} */ (e.currentTarget),
                        async () => {
                          if (!confirm(t("dev.confirmRevoke"))) return;
                          await post(`/api/devices/${seg(d.id)}/revoke`);
                          await load();
                        },
                        t("dev.revokedToast"),
                      ),
                  }),
                ]
              : null,
        ),
      ),
    );
  };
  void load();
  const kind = /** @type {HTMLSelectElement} */ (
    h(
      "select",
      { name: "kind" },
      KINDS.map((k) => h("option", { value: k, text: t(`kind.${k}`) })),
    )
  );
  const id = /** @type {HTMLInputElement} */ (
    h("input", { name: "id", placeholder: t("dev.idHint"), autocapitalize: "none" })
  );
  const provision = operator
    ? h(
        "details.add",
        null,
        h("summary", { "data-testid": "provision-open", text: t("dev.provision") }),
        field("dev.kind", kind),
        field("dev.id", id),
        button("dev.provisionGo", {
          class: "primary",
          "data-action": "provision",
          onclick: (/** @type {MouseEvent} */ e) =>
            act(/** @type {any} */ (e.currentTarget), async () => {
              const r = await post(`/api/households/${seg(householdId)}/devices`, {
                kind: kind.value,
                ...(id.value.trim() ? { id: id.value.trim() } : {}),
              });
              replace(shown, credentialsBox(r.mqtt));
              id.value = "";
              await load();
            }),
        }),
      )
    : null;
  return section("dev.title", shown, list, provision);
}
