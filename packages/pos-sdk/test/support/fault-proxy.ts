/**
 * A small HTTP proxy on 127.0.0.1 between the SDK and the server that injects faults into chosen
 * requests: a delay before forwarding, a connection reset, a 502 from "the gateway", a 401, or the answer
 * dropped after the server committed (the request forwarded and answered, the connection then cut). Any
 * request not chosen is forwarded as is; the target can change (a restarted server on another port), and a
 * target that does not answer gives 502, as a real gateway would.
 */
import { createServer, type IncomingMessage, request, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

export type Fault =
  | { kind: "delay"; ms: number }
  | { kind: "reset" }
  | { kind: "bad-gateway" }
  | { kind: "unauthorized" }
  | { kind: "drop-answer" }
  | { kind: "hold-answer"; ms: number };

interface Rule {
  method: string;
  path: RegExp;
  fault: Fault;
  times: number;
}

export interface Seen {
  method: string;
  path: string;
  fault: Fault["kind"] | null;
  /** The upstream status, when the request reached the server. */
  status: number | null;
}

export class FaultProxy {
  readonly seen: Seen[] = [];
  private rules: Rule[] = [];
  private waiters: { path: RegExp; resolve: () => void }[] = [];
  private readonly sockets = new Set<import("node:net").Socket>();

  private constructor(
    private readonly server: Server,
    public target: string,
  ) {
    server.on("connection", (s) => {
      this.sockets.add(s);
      s.once("close", () => this.sockets.delete(s));
    });
  }

  static async start(target: string): Promise<FaultProxy> {
    let proxy: FaultProxy | undefined;
    const server = createServer((req, res) => {
      void proxy!.handle(req, res);
    });
    proxy = new FaultProxy(server, target);
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    return proxy;
  }

  get base(): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  /** The next `times` requests matching `method` and `path` get `fault`. */
  inject(method: string, path: RegExp, fault: Fault, times = 1): void {
    this.rules.push({ method, path, fault, times });
  }

  clear(): void {
    this.rules = [];
  }

  /** Resolves when a request matching `path` arrives (counting from now). */
  arrival(path: RegExp): Promise<void> {
    return new Promise((resolve) => this.waiters.push({ path, resolve }));
  }

  count(method: string, path: RegExp): number {
    return this.seen.filter((s) => s.method === method && path.test(s.path)).length;
  }

  async close(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const method = req.method ?? "GET";
    const path = req.url ?? "/";
    const rule = this.rules.find((r) => r.times > 0 && r.method === method && r.path.test(path));
    if (rule) rule.times--;
    const fault = rule?.fault ?? null;
    const seen: Seen = { method, path, fault: fault?.kind ?? null, status: null };
    this.seen.push(seen);
    for (const w of this.waiters.filter((w) => w.path.test(path))) {
      this.waiters.splice(this.waiters.indexOf(w), 1);
      w.resolve();
    }
    const body = await readBody(req);
    if (fault?.kind === "reset") {
      req.socket.destroy();
      return;
    }
    if (fault?.kind === "bad-gateway") {
      res.writeHead(502, { "content-type": "text/html" }).end("<html>502 Bad Gateway</html>");
      return;
    }
    if (fault?.kind === "unauthorized") {
      res
        .writeHead(401, { "content-type": "application/json" })
        .end(JSON.stringify({ code: "UNAUTHORIZED", message: "token expired", details: {} }));
      return;
    }
    if (fault?.kind === "delay") await new Promise((r) => setTimeout(r, fault.ms));
    const upstream = new URL(path, this.target);
    const forwarded = request(
      upstream,
      { method, headers: { ...req.headers, host: upstream.host } },
      (up) => {
        seen.status = up.statusCode ?? null;
        const chunks: Buffer[] = [];
        up.on("data", (c: Buffer) => chunks.push(c));
        up.on("end", async () => {
          if (fault?.kind === "drop-answer") {
            req.socket.destroy();
            return;
          }
          if (fault?.kind === "hold-answer") await new Promise((r) => setTimeout(r, fault.ms));
          if (req.socket.destroyed) return;
          const headers = { ...up.headers };
          delete headers["transfer-encoding"];
          delete headers.connection;
          res.writeHead(up.statusCode ?? 502, headers).end(Buffer.concat(chunks));
        });
      },
    );
    forwarded.on("error", () => {
      if (!res.headersSent && !req.socket.destroyed)
        res.writeHead(502, { "content-type": "text/html" }).end("<html>502 Bad Gateway</html>");
    });
    forwarded.end(body);
  }
}

function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => resolve(Buffer.concat(chunks)));
    req.on("error", reject);
  });
}
