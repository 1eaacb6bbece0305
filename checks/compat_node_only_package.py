from dataclasses import dataclass, field

from edgelint.api import Check, Location

NATIVE = "a native addon (compiled `.node` binary): V8 isolates cannot load it"
SOCKETS = "a client built on Node's TCP/TLS sockets (`net`, `tls`), which edge code cannot open"
FILES = "built on Node's file system (`fs`), which edge code does not have"
PROCESSES = "built on Node's child processes or a local browser, which edge code cannot start"
NODE_CRYPTO = "built on Node's `crypto` and `stream` modules"
SERVER = "a Node.js HTTP server framework (`http`, `net`)"

#: Packages known not to run on the edge: name -> (why, what to use instead). Subpaths count too
#: (`mongodb/lib/x`). Keep it small and certain; users add their own with `forbidden-packages`.
NODE_ONLY_PACKAGES: dict[str, tuple[str, str]] = {
    # native addons
    "sharp": (NATIVE, "Cloudflare Images (`/cdn-cgi/image/`) or an image service"),
    "bcrypt": (NATIVE, "`bcryptjs`, or PBKDF2 through `crypto.subtle`"),
    "argon2": (NATIVE, "PBKDF2 through `crypto.subtle`, or hash on a Node.js route"),
    "@node-rs/argon2": (NATIVE, "PBKDF2 through `crypto.subtle`, or hash on a Node.js route"),
    "@node-rs/bcrypt": (NATIVE, "`bcryptjs`, or PBKDF2 through `crypto.subtle`"),
    "better-sqlite3": (NATIVE, "D1, or an HTTP database driver"),
    "sqlite3": (NATIVE, "D1, or an HTTP database driver"),
    "canvas": (NATIVE, "`@vercel/og` / `next/og` (`ImageResponse`) for generated images"),
    "re2": (NATIVE, "the built-in `RegExp`"),
    "bufferutil": (NATIVE, "the global `WebSocket`"),
    "utf-8-validate": (NATIVE, "the global `WebSocket`"),
    "libsql": (NATIVE, "`@libsql/client/web`"),
    "onnxruntime-node": (NATIVE, "Workers AI or `onnxruntime-web`"),
    "@tensorflow/tfjs-node": (NATIVE, "Workers AI or `@tensorflow/tfjs`"),
    # socket clients
    "pg": (SOCKETS, "an HTTP driver such as `@neondatabase/serverless` or Hyperdrive on a Node.js route"),
    "mysql": (SOCKETS, "an HTTP driver such as `@planetscale/database`"),
    "mysql2": (SOCKETS, "an HTTP driver such as `@planetscale/database`"),
    "mongodb": (SOCKETS, "the MongoDB Data API over `fetch`, or a Node.js route"),
    "mongoose": (SOCKETS, "the MongoDB Data API over `fetch`, or a Node.js route"),
    "ioredis": (SOCKETS, "`@upstash/redis` (HTTP) or KV"),
    "redis": (SOCKETS, "`@upstash/redis` (HTTP) or KV"),
    "nodemailer": (SOCKETS, "an email API over `fetch` (or Cloudflare Email Routing)"),
    "ssh2": (SOCKETS, "a Node.js route or service"),
    "kafkajs": (SOCKETS, "an HTTP/REST proxy (e.g. Upstash Kafka) or Queues"),
    "amqplib": (SOCKETS, "an HTTP-based queue (e.g. Cloudflare Queues)"),
    "@grpc/grpc-js": (SOCKETS, "gRPC-web or a REST endpoint over `fetch`"),
    "firebase-admin": (SOCKETS + " (and gRPC)", "the Firebase REST APIs over `fetch`"),
    "jsonwebtoken": (NODE_CRYPTO, "`jose` (Web Crypto)"),
    # file system
    "fs-extra": (FILES, "KV/R2, or data bundled at build time"),
    "graceful-fs": (FILES, "KV/R2, or data bundled at build time"),
    "dotenv": (FILES, "`process.env` (Next.js loads `.env` files at build time)"),
    "chokidar": (FILES, "nothing: watching files is a build-time job"),
    "winston": (FILES + " and `os`", "`console` logging, or a logging API over `fetch`"),
    # processes and browsers
    "puppeteer": (PROCESSES, "Cloudflare Browser Rendering (`@cloudflare/puppeteer`) or a Node.js route"),
    "playwright": (PROCESSES, "a Node.js route or service"),
    "playwright-core": (PROCESSES, "a Node.js route or service"),
    "execa": (PROCESSES, "a Node.js route or service"),
    "cross-spawn": (PROCESSES, "a Node.js route or service"),
    "shelljs": (PROCESSES, "a Node.js route or service"),
    # servers
    "express": (SERVER, "a Route Handler (`export async function GET(request)`)"),
    "fastify": (SERVER, "a Route Handler"),
    "koa": (SERVER, "a Route Handler"),
}


@dataclass
class Options:
    #: more packages (or `package/subpath` prefixes) that must not be imported by edge code
    forbidden_packages: list[str] = field(default_factory=list)
    #: packages of the built-in table to accept (e.g. you alias them to an edge build)
    allowed_packages: list[str] = field(default_factory=list)


def _match(spec: str, names) -> str | None:
    """The table entry (`pkg` or `pkg/sub`) that `spec` is, or is below."""
    best = None
    for name in names:
        if spec == name or spec.startswith(name + "/"):
            if best is None or len(name) > len(best):
                best = name
    return best


class NoNodeOnlyPackageInEdge(Check):
    """## What it does
    Reports an import, in edge code, of a package known not to run on the edge, and of any
    package you list as forbidden. Edge code is what edge routes and edge middleware import,
    directly or through other modules (the finding carries that chain). Packages in
    `node_modules` are never parsed: this table is how edgelint knows about them.

    The built-in table is small and certain:

    * native addons: `sharp`, `bcrypt`, `argon2`, `@node-rs/argon2`, `@node-rs/bcrypt`,
      `better-sqlite3`, `sqlite3`, `canvas`, `re2`, `bufferutil`, `utf-8-validate`, `libsql`,
      `onnxruntime-node`, `@tensorflow/tfjs-node`;
    * clients on Node's TCP/TLS sockets: `pg`, `mysql`, `mysql2`, `mongodb`, `mongoose`,
      `ioredis`, `redis`, `nodemailer`, `ssh2`, `kafkajs`, `amqplib`, `@grpc/grpc-js`,
      `firebase-admin`; and `jsonwebtoken` (Node `crypto`/`stream`);
    * file system: `fs-extra`, `graceful-fs`, `dotenv`, `chokidar`, `winston`;
    * child processes and browsers: `puppeteer`, `playwright`, `playwright-core`, `execa`,
      `cross-spawn`, `shelljs`;
    * Node HTTP servers: `express`, `fastify`, `koa`.

    ## Why is this bad?
    npm packages work in the Edge Runtime only if they use no native Node.js APIs
    (REFERENCE.md §2.2), and under next-on-pages only `buffer`, `events`, `assert`, `util` and `async_hooks`
    exist, whatever `nodejs_compat` says (REFERENCE.md §2.3). These packages need sockets, the file
    system, child processes or native binaries: the build fails on their Node built-in imports, or
    they throw at run time. Under OpenNext only edge middleware is checked (routes run on Node.js).

    ## Example
    ```ts
    // lib/auth.ts, imported by an edge route
    import jwt from 'jsonwebtoken'
    ```

    ## Use instead
    ```ts
    import { jwtVerify } from 'jose'
    ```

    ## Options
    `[edge-compat]` in `edgelint.toml`:
    `forbidden-packages = ["my-node-sdk", "@acme/db/server"]` adds packages (a name forbids its
    subpaths too); `allowed-packages = ["jsonwebtoken"]` drops entries of the built-in table.
    """

    code, name, area = "EDGE204", "no-node-only-package-in-edge", "edge-compat"
    severity = "error"
    Options = Options

    def run(self, ctx):
        from ._compat import compat_graph, edge_files, evidence

        options = self.options or Options()
        allowed = set(options.allowed_packages)
        builtin = {k: v for k, v in NODE_ONLY_PACKAGES.items() if k not in allowed}
        forbidden = [p.strip() for p in options.forbidden_packages if p.strip()]
        if not builtin and not forbidden:
            return
        graph = compat_graph(ctx)
        for path in edge_files(ctx, graph):
            for edge in graph.edges.get(path, ()):
                spec = edge.imp.source
                if edge.resolved.kind == "builtin" or spec.startswith((".", "/")):
                    continue
                if edge.resolved.kind == "file" and not _match(spec, forbidden):
                    continue  # a workspace package whose source is checked by the other rules
                user = _match(spec, forbidden)
                listed = None if user else _match(spec, builtin)
                if user is None and (listed is None or edge.resolved.kind != "package"):
                    continue
                where = Location(path, edge.imp.span, f"imports '{spec}'")
                found = evidence(ctx, graph, path, where)
                if not found.entries:
                    continue
                if user is not None:
                    why = f"'{user}' is listed in `forbidden-packages` ([edge-compat] in the edgelint config)"
                    hint = ""
                else:
                    reason, instead = builtin[listed]
                    why = f"'{listed}' does not run on the edge: it is {reason}"
                    hint = f" Use {instead}."
                yield ctx.finding(self, path, edge.imp.span, f"{why}. {found.text}{hint}", related=found.related,
                                  flow=found.flow, package=user or listed, **found.data)
