/** Small load tools of the floor benchmark: timing, closed-loop concurrency, an HTTP client, bare HTTP servers to compare with. */
import { spawn, type ChildProcess } from "node:child_process";
import { Agent, request } from "node:http";
import { join } from "node:path";
import { createInterface } from "node:readline";

export async function timed(call: () => Promise<unknown>): Promise<number> {
  const started = performance.now();
  await call();
  return performance.now() - started;
}

/** `clients` closed loops calling `call` for `durationMs`: completed calls per second and their latencies. */
export async function closedLoop(
  clients: number,
  durationMs: number,
  call: () => Promise<unknown>,
): Promise<{ perSecond: number; latencies: number[] }> {
  const latencies: number[] = [];
  const started = performance.now();
  const deadline = started + durationMs;
  await Promise.all(
    Array.from({ length: clients }, async () => {
      while (performance.now() < deadline) latencies.push(await timed(call));
    }),
  );
  return { perSecond: (latencies.length * 1000) / (performance.now() - started), latencies };
}

/**
 * The benchmark's one HTTP client, for the Hub and for every HTTP floor alike: node:http over
 * kept-alive connections. The client shares the two cores with what it measures, and `fetch` cost
 * 1.3-1.6 ms of CPU per request here against 0.24-0.35 ms for this (16 concurrent runs, 3 s each;
 * docs/measurements.md): with `fetch` the client's CPU was charged to the Hub.
 */
const agent = new Agent({ keepAlive: true });

export function httpCall(
  url: string,
  method: string,
  { body, headers = {} }: { body?: string; headers?: Readonly<Record<string, string>> } = {},
): Promise<{ status: number; body: Buffer }> {
  return new Promise((resolve, reject) => {
    const sent = request(
      url,
      {
        method,
        agent,
        headers: body === undefined ? headers : { ...headers, "content-length": Buffer.byteLength(body) },
      },
      (response) => {
        const chunks: Buffer[] = [];
        response.on("data", (chunk: Buffer) => chunks.push(chunk));
        response.once("error", reject);
        response.once("end", () =>
          resolve({ status: response.statusCode ?? 0, body: Buffer.concat(chunks) }),
        );
      },
    );
    sent.once("error", reject);
    sent.end(body);
  });
}

/** Runs `count` calls with at most `limit` in flight. */
export async function inBatches<T>(
  count: number,
  limit: number,
  call: (index: number) => Promise<T>,
): Promise<T[]> {
  const results: T[] = new Array<T>(count);
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(limit, count) }, async () => {
      while (next < count) {
        const index = next++;
        results[index] = await call(index);
      }
    }),
  );
  return results;
}

/**
 * Node's own http server in a process of its own answering every request with `body` (sent on its
 * stdin: a thousand containers' JSON is larger than one argument may be): what any JSON answer over
 * HTTP on this machine costs, the floor of GET /v1/containers.
 */
export async function startBareServer(body: string): Promise<{ url: string; stop(): void }> {
  const source = `let b="";process.stdin.setEncoding("utf8").on("data",(c)=>b+=c).on("end",()=>require("node:http").createServer((q,r)=>{r.writeHead(200,{"content-type":"application/json"});r.end(b)}).listen(0,"127.0.0.1",function(){console.log(this.address().port)}))`;
  const { child, port } = await serverProcess(["-e", source], body, "the bare server");
  return { url: `http://127.0.0.1:${port}`, stop: () => child.kill() };
}

/** Node running `args` with `stdin` written to it, once it printed the port it listens on (its first line). */
async function serverProcess(
  args: readonly string[],
  stdin: string,
  name: string,
): Promise<{ child: ChildProcess; port: string }> {
  const child = spawn(process.execPath, args, { stdio: ["pipe", "pipe", "inherit"] });
  child.stdin.end(stdin);
  const port = await new Promise<string>((resolve, reject) => {
    createInterface({ input: child.stdout }).once("line", resolve);
    child.once("exit", (code) => reject(new Error(`${name} exited (${code}) before listening`)));
  });
  return { child, port };
}

export interface HandServer {
  /** Makes hand sandbox `n` through the server. */
  create(n: number): Promise<void>;
  /** Kills hand sandbox `n` through the server; resolves once it answered (bwrap has exited). */
  remove(n: number): Promise<void>;
  stop(): Promise<void>;
}

/** hand-server.ts in a process of its own (under tsx, as the benchmark runs), its hand sandboxes under `root`. */
export async function startHandServer(
  template: unknown,
  root: string,
  firstUid: number,
): Promise<HandServer> {
  const program = join(import.meta.dirname, "hand-server.ts");
  const { child, port } = await serverProcess(
    ["--import", import.meta.resolve("tsx"), program],
    JSON.stringify({ template, root, firstUid }),
    "hand-server.ts",
  );
  const call = async (method: string, n: number, expected: number): Promise<void> => {
    const response = await httpCall(`http://127.0.0.1:${port}/${n}`, method);
    if (response.status !== expected)
      throw new Error(`hand server ${method} /${n}: ${response.status} ${response.body.toString()}`);
  };
  return {
    create: (n) => call("POST", n, 201),
    remove: (n) => call("DELETE", n, 204),
    async stop() {
      child.kill("SIGTERM");
      if (child.exitCode === null) await new Promise((resolve) => child.once("exit", resolve));
    },
  };
}
