/**
 * Runs the real proxy servers (nginx, Apache httpd, Caddy, HAProxy) with private config, pid and
 * log files in a temp directory, on loopback only. Never touches the system services.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdir, writeFile } from "node:fs/promises";
import net from "node:net";
import path from "node:path";
import { execa } from "execa";
import type { ProxyFormat } from "../../src/proxy/index.js";

const BINARIES: Record<ProxyFormat, string[]> = {
  nginx: ["/usr/sbin/nginx"],
  apache: ["/usr/sbin/apache2"],
  caddy: ["/usr/bin/caddy"],
  haproxy: ["/usr/sbin/haproxy"],
};

/** The server binary, or undefined when it is not installed. */
export function serverBinary(format: ProxyFormat): string | undefined {
  return BINARIES[format].find((candidate) => existsSync(candidate));
}

const APACHE_MODULES = "/usr/lib/apache2/modules";

export interface ServerSetup {
  format: ProxyFormat;
  dir: string;
  configFile: string;
  port: number;
  /** The command that checks the config (the server's own -t / validate / -c). */
  check: string[];
  /** The command that runs the server in the foreground. */
  run: string[];
  env: NodeJS.ProcessEnv;
}

/**
 * Writes a private config around the snippet; `port` 0 only for config checks. With `http2` the
 * server speaks cleartext HTTP/2 (h2c, prior knowledge) on its port.
 */
export async function writeServerConfig(
  format: ProxyFormat,
  snippet: string,
  dir: string,
  port: number,
  options: { http2?: boolean } = {},
): Promise<ServerSetup> {
  const h2 = options.http2 === true;
  await mkdir(dir, { recursive: true });
  const bin = serverBinary(format);
  if (!bin) throw new Error(`${format} is not installed (run scripts/setup-proxies.sh)`);
  const listenPort = port === 0 ? 1 : port;
  const env: NodeJS.ProcessEnv = { ...process.env, HOME: dir, XDG_DATA_HOME: path.join(dir, "data"), XDG_CONFIG_HOME: path.join(dir, "config") };
  switch (format) {
    case "nginx": {
      const snippetFile = path.join(dir, "odoo-2fa.conf");
      await writeFile(snippetFile, snippet);
      const configFile = path.join(dir, "nginx.conf");
      const temp = (name: string) => path.join(dir, name);
      await writeFile(
        configFile,
        [
          "daemon off;",
          "master_process on;",
          "worker_processes 1;",
          ...(process.getuid?.() === 0 ? ["user root;"] : []),
          `pid ${temp("nginx.pid")};`,
          `error_log ${temp("error.log")} warn;`,
          "events { worker_connections 64; }",
          "http {",
          "    access_log off;",
          `    client_body_temp_path ${temp("client_body")};`,
          `    proxy_temp_path ${temp("proxy")};`,
          `    fastcgi_temp_path ${temp("fastcgi")};`,
          `    uwsgi_temp_path ${temp("uwsgi")};`,
          `    scgi_temp_path ${temp("scgi")};`,
          "    server {",
          `        listen 127.0.0.1:${listenPort}${h2 ? " http2" : ""};`,
          `        listen [::1]:${listenPort}${h2 ? " http2" : ""};`,
          `        include ${snippetFile};`,
          "    }",
          "}",
          "",
        ].join("\n"),
      );
      const base = [bin, "-p", dir, "-e", temp("error.log"), "-c", configFile];
      return { format, dir, configFile, port, check: [...base, "-t", "-q"], run: base, env };
    }
    case "apache": {
      const snippetFile = path.join(dir, "odoo-2fa.conf");
      await writeFile(snippetFile, snippet);
      const configFile = path.join(dir, "httpd.conf");
      const modules = ["mpm_event", "authz_core", "authz_host", "headers", "proxy", "proxy_http", "remoteip", ...(h2 ? ["http2"] : [])];
      await writeFile(
        configFile,
        [
          `ServerRoot ${dir}`,
          ...modules.map((name) => `LoadModule ${name}_module ${APACHE_MODULES}/mod_${name}.so`),
          `PidFile ${path.join(dir, "httpd.pid")}`,
          `DefaultRuntimeDir ${dir}`,
          `ErrorLog ${path.join(dir, "error.log")}`,
          "LogLevel warn",
          "ServerName 127.0.0.1",
          ...(h2 ? ["Protocols h2c http/1.1"] : []),
          ...(process.getuid?.() === 0 ? ["User www-data", "Group www-data"] : []),
          "StartServers 1",
          "ServerLimit 1",
          "ThreadsPerChild 16",
          "MaxRequestWorkers 16",
          "MinSpareThreads 1",
          "MaxSpareThreads 16",
          `Listen 127.0.0.1:${listenPort}`,
          `Listen [::1]:${listenPort}`,
          `<VirtualHost *:${listenPort}>`,
          `    Include ${snippetFile}`,
          "</VirtualHost>",
          "",
        ].join("\n"),
      );
      return {
        format,
        dir,
        configFile,
        port,
        check: [bin, "-t", "-f", configFile],
        run: [bin, "-f", configFile, "-DFOREGROUND"],
        env,
      };
    }
    case "caddy": {
      const snippetFile = path.join(dir, "odoo-2fa.caddy");
      await writeFile(snippetFile, snippet);
      const configFile = path.join(dir, "Caddyfile");
      await writeFile(
        configFile,
        [
          "{",
          "    admin off",
          "    auto_https off",
          ...(h2 ? ["    servers {", "        protocols h1 h2c", "    }"] : []),
          `    storage file_system ${path.join(dir, "storage")}`,
          "}",
          `http://:${listenPort} {`,
          "    bind 127.0.0.1 ::1",
          `    import ${snippetFile}`,
          "}",
          "",
        ].join("\n"),
      );
      return {
        format,
        dir,
        configFile,
        port,
        check: [bin, "validate", "--config", configFile, "--adapter", "caddyfile"],
        run: [bin, "run", "--config", configFile, "--adapter", "caddyfile"],
        env,
      };
    }
    case "haproxy": {
      const configFile = path.join(dir, "haproxy.cfg");
      await writeFile(
        configFile,
        [
          "global",
          "    maxconn 256",
          "defaults",
          "    mode http",
          "    timeout connect 5s",
          "    timeout client 30s",
          "    timeout server 30s",
          "frontend odoo2fa_test",
          `    bind 127.0.0.1:${listenPort}${h2 ? " proto h2" : ""}`,
          `    bind [::1]:${listenPort}${h2 ? " proto h2" : ""}`,
          "    default_backend odoo2fa_odoo",
          "",
          snippet,
        ].join("\n"),
      );
      return { format, dir, configFile, port, check: [bin, "-c", "-q", "-f", configFile], run: [bin, "-db", "-f", configFile], env };
    }
  }
}

/** Runs the server's own config check; `ok` with its output. */
export async function checkServerConfig(setup: ServerSetup): Promise<{ ok: boolean; output: string }> {
  const [file, ...args] = setup.check;
  const result = await execa(file!, args, { env: setup.env, reject: false, all: true, timeout: 60_000, stdin: "ignore" });
  return { ok: result.exitCode === 0, output: result.all ?? "" };
}

/** A free TCP port on loopback (IPv4 and IPv6). */
export async function freePort(): Promise<number> {
  for (let attempt = 0; attempt < 20; attempt++) {
    const port = await new Promise<number>((resolve, reject) => {
      const server = net.createServer();
      server.once("error", reject);
      server.listen(0, "127.0.0.1", () => {
        const address = server.address();
        server.close(() => resolve(typeof address === "object" && address ? address.port : 0));
      });
    });
    const v6Free = await new Promise<boolean>((resolve) => {
      const server = net.createServer();
      server.once("error", () => resolve(false));
      server.listen(port, "::1", () => server.close(() => resolve(true)));
    });
    // Other engineers use 18069+ and 554xx; stay clear of them.
    if (v6Free && port > 20000 && !(port >= 55400 && port < 55500)) return port;
  }
  throw new Error("no free loopback port found");
}

async function connects(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ host, port });
    socket.setTimeout(500);
    socket.once("connect", () => {
      socket.destroy();
      resolve(true);
    });
    socket.once("error", () => resolve(false));
    socket.once("timeout", () => {
      socket.destroy();
      resolve(false);
    });
  });
}

export interface RunningServer {
  setup: ServerSetup;
  output: () => string;
  stop: () => Promise<void>;
}

/** Starts the server in the foreground and waits (bounded) until both loopback ports answer. */
export async function startServer(setup: ServerSetup, timeoutMs = 15_000): Promise<RunningServer> {
  const [file, ...args] = setup.run;
  const child: ChildProcess = spawn(file!, args, { env: setup.env, stdio: ["ignore", "pipe", "pipe"], detached: false });
  let output = "";
  child.stdout?.on("data", (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on("data", (chunk: Buffer) => (output += chunk.toString()));
  let exited = false;
  const exit = new Promise<void>((resolve) =>
    child.once("exit", () => {
      exited = true;
      resolve();
    }),
  );
  const stop = async () => {
    if (exited) return;
    child.kill("SIGTERM");
    const killed = await Promise.race([exit.then(() => true), new Promise<boolean>((r) => setTimeout(() => r(false), 5_000))]);
    if (!killed) {
      child.kill("SIGKILL");
      await Promise.race([exit, new Promise((r) => setTimeout(r, 2_000))]);
    }
    // Apache's and nginx's children follow their parent; give the ports a moment to close.
    await waitFor(async () => !(await connects("127.0.0.1", setup.port)), 5_000);
  };
  const ready = await waitFor(
    async () => !exited && (await connects("127.0.0.1", setup.port)) && (await connects("::1", setup.port)),
    timeoutMs,
  );
  if (!ready) {
    await stop();
    throw new Error(`${setup.format} did not start on port ${setup.port}:\n${output}`);
  }
  return { setup, output: () => output, stop };
}

async function waitFor(condition: () => Promise<boolean>, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await condition()) return true;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return false;
}
