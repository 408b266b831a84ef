/** A small browser-like HTTP client for a real service: keeps cookies and sends the CSRF token. */
export function httpClient(base: string) {
  const cookies = new Map<string, string>();
  let csrf: string | undefined;
  async function request(method: string, path: string, body?: unknown) {
    const res = await fetch(`${base}${path}`, {
      method,
      headers: {
        ...(cookies.size ? { cookie: [...cookies].map(([k, v]) => `${k}=${v}`).join("; ") } : {}),
        ...(csrf ? { "x-csrf-token": csrf } : {}),
        ...(body === undefined ? {} : { "content-type": "application/json" }),
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    for (const c of res.headers.getSetCookie()) {
      const [pair] = c.split(";");
      const [name, ...value] = (pair ?? "").split("=");
      if (name) cookies.set(name.trim(), value.join("="));
    }
    const text = await res.text();
    return { status: res.status, body: text ? (JSON.parse(text) as Record<string, unknown>) : {} };
  }
  return {
    request,
    async login(login: string, password: string) {
      csrf = ((await request("GET", "/api/auth/csrf")).body as { csrfToken: string }).csrfToken;
      const r = await request("POST", "/api/auth/login", { login, password });
      if (r.status === 200) csrf = (r.body as { csrfToken: string }).csrfToken;
      return r;
    },
  };
}
