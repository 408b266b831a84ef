import { post } from "../api.js";
import { field, formValues, h } from "../dom.js";
import { act } from "../errors.js";
import { getLang, t } from "../i18n.js";

/** Family self-registration: an account, signed in at once. @param {HTMLElement} view @param {string[]} _p @param {any} _ctx @param {{ signedIn: () => Promise<void> }} hooks */
export default function signup(view, _p, _ctx, hooks) {
  /** @type {HTMLFormElement} */
  const form = /** @type {any} */ (
    h(
      "form.card.narrow",
      {
        "data-testid": "signup-form",
        onsubmit: async (/** @type {SubmitEvent} */ e) => {
          e.preventDefault();
          const v = formValues(form);
          await act(form.querySelector("button"), async () => {
            await post("/api/auth/register", {
              login: v.login,
              password: v.password,
              name: v.name,
              ...(v.email ? { email: v.email } : {}),
              ...(v.phone ? { phone: v.phone } : {}),
              language: getLang(),
            });
            await hooks.signedIn();
          });
        },
      },
      h("h1", { text: t("signup.title") }),
      h("p.muted", { text: t("signup.intro") }),
      field("signup.name", h("input", { name: "name", required: true, autocomplete: "name" })),
      field(
        "login.login",
        h("input", {
          name: "login",
          required: true,
          minlength: 3,
          autocomplete: "username",
          autocapitalize: "none",
        }),
      ),
      field(
        "signup.password",
        h("input", {
          name: "password",
          type: "password",
          required: true,
          minlength: 10,
          autocomplete: "new-password",
        }),
      ),
      field("signup.email", h("input", { name: "email", type: "email", autocomplete: "email" })),
      field("signup.phone", h("input", { name: "phone", type: "tel", autocomplete: "tel" })),
      h("button.primary", { type: "submit", text: t("signup.submit") }),
      h("p", null, h("a", { href: "#/login", text: t("signup.toLogin") })),
    )
  );
  view.append(form);
}
