import { post } from "../api.js";
import { field, formValues, h } from "../dom.js";
import { act } from "../errors.js";
import { t } from "../i18n.js";

/** Sign-in. @param {HTMLElement} view @param {string[]} _params @param {any} _ctx @param {{ signedIn: () => Promise<void> }} hooks */
export default function login(view, _params, _ctx, hooks) {
  /** @type {HTMLFormElement} */
  const form = /** @type {any} */ (
    h(
      "form.card.narrow",
      {
        "data-testid": "login-form",
        onsubmit: async (/** @type {SubmitEvent} */ e) => {
          e.preventDefault();
          const v = formValues(form);
          const btn = form.querySelector("button");
          await act(btn, async () => {
            await post("/api/auth/login", { login: v.login ?? "", password: v.password ?? "" });
            await hooks.signedIn();
          });
        },
      },
      h("h1", { text: t("login.title") }),
      h("p.muted", { text: t("app.tagline") }),
      field(
        "login.login",
        h("input", { name: "login", autocomplete: "username", required: true, autocapitalize: "none" }),
      ),
      field(
        "login.password",
        h("input", { name: "password", type: "password", autocomplete: "current-password", required: true }),
      ),
      h("button.primary", { type: "submit", text: t("login.submit") }),
      h("p", null, h("a", { href: "#/signup", "data-testid": "to-signup", text: t("login.toSignup") })),
    )
  );
  view.append(form);
}
