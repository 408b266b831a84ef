// Hash routes: #/<name>/<params…> → a view module, and the roles that may open it.
const CARERS = ["operator", "worker"];

/** @type {Record<string, { load: () => Promise<any>, roles?: string[] }>} */
export const ROUTES = {
  login: { load: () => import("./views/login.js") },
  signup: { load: () => import("./views/signup.js") },
  account: { load: () => import("./views/account.js") },
  family: { load: () => import("./views/family.js"), roles: ["family"] },
  register: { load: () => import("./views/register-parent.js"), roles: ["family"] },
  inbox: { load: () => import("./views/inbox.js"), roles: CARERS },
  alert: { load: () => import("./views/alert.js"), roles: CARERS },
  homes: { load: () => import("./views/homes.js"), roles: CARERS },
  home: { load: () => import("./views/home.js"), roles: CARERS },
  registrations: { load: () => import("./views/registrations.js"), roles: CARERS },
  devices: { load: () => import("./views/devices.js"), roles: CARERS },
  metrics: { load: () => import("./views/metrics.js"), roles: CARERS },
  people: { load: () => import("./views/people.js"), roles: ["operator"] },
  audit: { load: () => import("./views/audit.js"), roles: ["operator"] },
  rules: { load: () => import("./views/rules.js"), roles: ["operator"] },
  notifications: { load: () => import("./views/notifications.js"), roles: ["operator"] },
};
