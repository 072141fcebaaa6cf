/** Small load tools of the floor benchmark: timing, closed-loop concurrency, a bare HTTP server to compare with. */
import { spawn } from "node:child_process";
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
  const child = spawn(process.execPath, ["-e", source], { stdio: ["pipe", "pipe", "inherit"] });
  child.stdin.end(body);
  const port = await new Promise<string>((resolve) =>
    createInterface({ input: child.stdout }).once("line", resolve),
  );
  return { url: `http://127.0.0.1:${port}`, stop: () => child.kill() };
}
