import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { extname, join, relative, sep } from "node:path";
import { fileURLToPath } from "node:url";
import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from "fastify";

const TYPES: Record<string, string> = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".svg": "image/svg+xml",
  ".png": "image/png",
  ".ico": "image/x-icon",
  ".json": "application/json; charset=utf-8",
  ".webmanifest": "application/manifest+json",
};

/**
 * dashboard/web/ holds plain ES modules that are not compiled: next to this file when run from source
 * (tests, tsx), three levels up from dist/dashboard/routes/ when run from the build.
 */
export function findWebRoot(): string {
  const candidates = [
    fileURLToPath(new URL("../web/", import.meta.url)),
    fileURLToPath(new URL("../../../dashboard/web/", import.meta.url)),
  ];
  const found = candidates.find((dir) => existsSync(join(dir, "index.html")));
  if (!found) throw new Error(`dashboard web UI not found in ${candidates.join(" or ")}`);
  return found;
}

function listFiles(root: string, dir = root): string[] {
  return readdirSync(dir).flatMap((name) => {
    const full = join(dir, name);
    if (statSync(full).isDirectory()) return listFiles(root, full);
    return TYPES[extname(name)] ? [relative(root, full).split(sep).join("/")] : [];
  });
}

export interface StaticRoutesOptions {
  root?: string;
}

/**
 * The browser UI: `/` is the single page, `/web/<file>` its modules and styles. Only files that existed
 * at start-up are served (an allow-list, so no path from a URL ever reaches the file system); each is
 * read per request so an edited file shows on reload, with an ETag so an unchanged one costs a 304.
 */
export const staticRoutes: FastifyPluginAsync<StaticRoutesOptions> = async (app, opts) => {
  const root = opts.root ?? findWebRoot();
  const files = new Set(listFiles(root));

  const serve = (file: string, req: FastifyRequest, reply: FastifyReply) => {
    const body = readFileSync(join(root, file));
    const etag = `"${statSync(join(root, file)).mtimeMs.toString(36)}-${body.length.toString(36)}"`;
    reply.header("cache-control", "no-cache").header("etag", etag);
    if (req.headers["if-none-match"] === etag) return reply.code(304).send();
    return reply.type(TYPES[extname(file)]!).send(body);
  };

  app.get("/", { schema: { hide: true } }, async (req, reply) => serve("index.html", req, reply));
  app.get("/web/*", { schema: { hide: true } }, async (req, reply) => {
    const file = (req.params as { "*": string })["*"];
    if (!files.has(file)) return reply.callNotFound();
    return serve(file, req, reply);
  });
};
