import { post } from "../api.js";
import { field, formValues, h, section, toast } from "../dom.js";
import { act } from "../errors.js";
import { getLang, LANGS, setLang, t } from "../i18n.js";
import { setSound, soundOn } from "../live.js";

/** Who I am, language, the alert sound (workers) and the password change. @param {HTMLElement} view @param {string[]} _p @param {any} ctx */
export default function account(view, _p, ctx) {
  const a = ctx.me.account;
  const langSelect = /** @type {HTMLSelectElement} */ (
    h(
      "select",
      {
        name: "lang",
        onchange: () => {
          setLang(langSelect.value);
          ctx.refresh();
        },
      },
      LANGS.map((l) => h("option", { value: l, selected: l === getLang(), text: t(`lang.${l}`) })),
    )
  );
  const sound = /** @type {HTMLInputElement} */ (
    h("input", {
      type: "checkbox",
      "data-testid": "sound",
      checked: soundOn(),
      onchange: () => setSound(sound.checked),
    })
  );
  /** @type {HTMLFormElement} */
  const pw = /** @type {any} */ (
    h(
      "form",
      {
        "data-testid": "password-form",
        onsubmit: async (/** @type {SubmitEvent} */ e) => {
          e.preventDefault();
          const v = formValues(pw);
          if (v.newPassword !== v.repeat) return toast(t("account.mismatch"), "error");
          const ok = await act(pw.querySelector("button"), () =>
            post("/api/auth/password", { currentPassword: v.currentPassword, newPassword: v.newPassword }),
          );
          if (ok) {
            pw.reset();
            toast(t("account.changed"));
          }
        },
      },
      field(
        "account.current",
        h("input", {
          name: "currentPassword",
          type: "password",
          required: true,
          autocomplete: "current-password",
        }),
      ),
      field(
        "account.new",
        h("input", {
          name: "newPassword",
          type: "password",
          required: true,
          minlength: 10,
          autocomplete: "new-password",
        }),
      ),
      field(
        "account.repeat",
        h("input", {
          name: "repeat",
          type: "password",
          required: true,
          minlength: 10,
          autocomplete: "new-password",
        }),
      ),
      h("button.primary", { type: "submit", text: t("account.change") }),
    )
  );
  view.append(
    h("h1", { text: t("nav.account") }),
    section(
      "account.me",
      h(
        "dl.facts",
        null,
        h("dt", { text: t("account.name") }),
        h("dd", { text: a.name }),
        h("dt", { text: t("login.login") }),
        h("dd", { text: a.login ?? "—" }),
        h("dt", { text: t("account.role") }),
        h("dd", { text: t(`role.${a.role}`) }),
        ctx.me.duties.length
          ? [
              h("dt", { text: t("account.duties") }),
              h("dd", {
                text: ctx.me.duties
                  .map((/** @type {any} */ d) => `${d.path} (${t(`duty.${d.duty}`)})`)
                  .join(", "),
              }),
            ]
          : null,
      ),
    ),
    section(
      "account.prefs",
      field("account.lang", langSelect),
      a.role !== "family" ? h("label.check", null, sound, h("span", { text: t("account.sound") })) : null,
    ),
    section("account.password", pw),
  );
}
