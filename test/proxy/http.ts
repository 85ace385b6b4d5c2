/**
 * The two sides of a proxy under test: a tiny upstream that records every request it receives
 * (standing in for Odoo's HTTP and longpolling ports), and a client that can pick its loopback
 * source address (127.0.0.2 vs 127.0.0.3, ::1) to play an allowed or a denied network.
 */
import { createHash } from "node:crypto";
import http from "node:http";
import http2 from "node:http2";
import net from "node:net";

export interface Received {
  upstream: string;
  method: string;
  url: string;
  headers: http.IncomingHttpHeaders;
  /** Names and values as they arrived, in order (`headers` joins and lowercases them). */
  rawHeaders: string[];
  /** The proxy's address as the upstream saw it. */
  peer: string;
  upgrade: boolean;
}

export interface Upstream {
  name: string;
  port: number;
  received: Received[];
  close: () => Promise<void>;
}

export async function startUpstream(name: string): Promise<Upstream> {
  const received: Received[] = [];
  const record = (request: http.IncomingMessage, upgrade: boolean) =>
    received.push({
      upstream: name,
      method: request.method ?? "",
      url: request.url ?? "",
      headers: request.headers,
      rawHeaders: request.rawHeaders,
      peer: request.socket.remoteAddress ?? "",
      upgrade,
    });
  const server = http.createServer((request, response) => {
    record(request, false);
    request.resume();
    request.on("end", () => {
      response.writeHead(200, { "content-type": "application/json", "x-upstream": name });
      response.end(JSON.stringify({ upstream: name, url: request.url }));
    });
  });
  server.on("upgrade", (request: http.IncomingMessage, socket: net.Socket) => {
    record(request, true);
    // A real handshake (RFC 6455 4.2.2): HAProxy, for one, refuses a 101 without a valid accept key.
    const key = String(request.headers["sec-websocket-key"] ?? "");
    const accept = createHash("sha1").update(`${key}258EAFA5-E914-47DA-95CA-C5AB0DC85B11`).digest("base64");
    socket.write(
      "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n" +
        `Sec-WebSocket-Accept: ${accept}\r\nX-Upstream: ${name}\r\n\r\n`,
    );
    socket.end();
  });
  const sockets = new Set<net.Socket>();
  server.on("connection", (socket) => {
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  const port = typeof address === "object" && address ? address.port : 0;
  return {
    name,
    port,
    received,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}

/** The WSGI variables Odoo's --proxy-mode reads, and X-Real-IP's. */
const FORWARDING_KEYS = ["HTTP_X_FORWARDED_FOR", "HTTP_X_FORWARDED_HOST", "HTTP_X_FORWARDED_PROTO", "HTTP_X_REAL_IP"];

/**
 * What a WSGI server that keeps header names with underscores (werkzeug 2.x, as on Odoo 16.0 and
 * 17.0) would make of the headers: each forwarding variable must come from exactly one header
 * line, spelled with dashes. Returns the problems (empty: none).
 */
export function forwardingHeaderProblems(rawHeaders: readonly string[]): string[] {
  const lines = new Map<string, string[]>();
  for (let i = 0; i + 1 < rawHeaders.length; i += 2) {
    const name = rawHeaders[i]!;
    const key = `HTTP_${name.toUpperCase().replaceAll("-", "_")}`;
    if (FORWARDING_KEYS.includes(key)) lines.set(key, [...(lines.get(key) ?? []), `${name}: ${rawHeaders[i + 1]}`]);
  }
  const problems: string[] = [];
  for (const key of FORWARDING_KEYS) {
    const found = lines.get(key) ?? [];
    if (found.length !== 1 || found[0]!.includes("_")) problems.push(`${key} from ${found.length} line(s): ${JSON.stringify(found)}`);
  }
  return problems;
}

export interface Answer {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
}

/** One request through the proxy from a chosen loopback source address (bounded by a timeout). */
export function request(options: {
  port: number;
  from: string;
  path: string;
  method?: string;
  /** A list value sends the header once per item, on lines of its own. */
  headers?: Record<string, string | string[]>;
  body?: string;
  /** Idle time allowed before the request fails (default 10 s). */
  timeoutMs?: number;
}): Promise<Answer> {
  const v6 = options.from.includes(":");
  return new Promise((resolve, reject) => {
    const req = http.request(
      {
        host: v6 ? "::1" : "127.0.0.1",
        port: options.port,
        localAddress: options.from,
        family: v6 ? 6 : 4,
        path: options.path,
        method: options.method ?? "GET",
        headers: options.headers,
        agent: false,
        timeout: options.timeoutMs ?? 10_000,
      },
      (response) => {
        let body = "";
        response.setEncoding("utf8");
        response.on("data", (chunk: string) => (body += chunk));
        response.on("end", () => resolve({ status: response.statusCode ?? 0, headers: response.headers, body }));
        response.on("error", reject);
      },
    );
    req.on("timeout", () => req.destroy(new Error(`timeout: ${options.method ?? "GET"} ${options.path} from ${options.from}`)));
    req.on("error", reject);
    req.end(options.body);
  });
}

/** A websocket handshake through the proxy; resolves with the status the client got. */
export function upgrade(options: {
  port: number;
  from: string;
  path: string;
  host: string;
  headers?: Record<string, string>;
}): Promise<{ status: number; headers: http.IncomingHttpHeaders }> {
  const v6 = options.from.includes(":");
  return new Promise((resolve, reject) => {
    const req = http.request({
      host: v6 ? "::1" : "127.0.0.1",
      port: options.port,
      localAddress: options.from,
      family: v6 ? 6 : 4,
      path: options.path,
      agent: false,
      timeout: 10_000,
      headers: {
        Host: options.host,
        Connection: "Upgrade",
        Upgrade: "websocket",
        "Sec-WebSocket-Key": "dGhlIHNhbXBsZSBub25jZQ==",
        "Sec-WebSocket-Version": "13",
        ...options.headers,
      },
    });
    req.on("upgrade", (response, socket) => {
      socket.destroy();
      resolve({ status: response.statusCode ?? 0, headers: response.headers });
    });
    req.on("response", (response) => {
      response.resume();
      resolve({ status: response.statusCode ?? 0, headers: response.headers });
    });
    req.on("timeout", () => req.destroy(new Error(`timeout: upgrade ${options.path}`)));
    req.on("error", reject);
    req.end();
  });
}

/** A raw HTTP/1.0 request without a Host header; resolves with the status code. */
export function requestWithoutHost(port: number, path: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const socket = net.connect({ host: "127.0.0.1", port, localAddress: "127.0.0.2" });
    let data = "";
    socket.setTimeout(10_000, () => socket.destroy(new Error("timeout: request without Host")));
    socket.on("connect", () => socket.write(`GET ${path} HTTP/1.0\r\n\r\n`));
    socket.on("data", (chunk) => (data += chunk.toString("latin1")));
    socket.on("error", reject);
    socket.on("close", () => {
      const match = /^HTTP\/1\.[01] (\d{3})/.exec(data);
      resolve(match ? Number(match[1]) : 0);
    });
  });
}

/** One cleartext HTTP/2 request (prior knowledge): `:authority` only, no Host header. */
export async function requestHttp2(options: { port: number; from: string; path: string; authority: string }): Promise<number> {
  const v6 = options.from.includes(":");
  const client = http2.connect(`http://${v6 ? "[::1]" : "127.0.0.1"}:${options.port}`, { localAddress: options.from } as http2.SecureClientSessionOptions);
  try {
    return await new Promise<number>((resolve, reject) => {
      client.on("error", reject);
      const req = client.request({ ":path": options.path, ":authority": options.authority });
      let status = 0;
      req.setTimeout(10_000, () => req.close(http2.constants.NGHTTP2_CANCEL));
      req.on("response", (headers) => (status = Number(headers[":status"])));
      req.on("data", () => undefined);
      req.on("end", () => resolve(status));
      req.on("close", () => resolve(status));
      req.on("error", reject);
      req.end();
    });
  } finally {
    client.close();
  }
}
