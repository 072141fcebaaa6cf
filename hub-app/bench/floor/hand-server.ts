/**
 * The floor of a delete through an API: the floor's kill behind Node's own http server in a process
 * of its own (as the Hub is), so both sides pay the same client, transport and wake-ups. Started by
 * startHandServer (load.ts); reads `{ template, root, firstUid }` on stdin. `POST /<n>` makes hand
 * sandbox n (createByHand); `DELETE /<n>` SIGKILLs its init and answers, as the Hub's delete does,
 * and bwrap's exit is awaited after the answer.
 */
import { createServer, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { text } from "node:stream/consumers";
import { createByHand, type HandSandbox } from "./by-hand.js";

const { template, root, firstUid } = JSON.parse(await text(process.stdin)) as {
  template: Parameters<typeof createByHand>[0];
  root: string;
  firstUid: number;
};
const sandboxes = new Map<string, HandSandbox>();
const answer = (response: ServerResponse, status: number, body = ""): void => {
  response.writeHead(status, { "content-type": "text/plain" });
  response.end(body);
};

const server = createServer((request, response) => {
  const name = (request.url ?? "").slice(1);
  if (!/^\d{1,6}$/.test(name)) return answer(response, 404, "names are decimal numbers\n");
  const sandbox = sandboxes.get(name);
  if (request.method === "POST" && sandbox === undefined) {
    createByHand(template, join(root, `h${name}`), `h${name}`, firstUid + Number(name)).then(
      (made) => {
        sandboxes.set(name, made);
        answer(response, 201);
      },
      (error: unknown) => answer(response, 500, `${String(error)}\n`),
    );
  } else if (request.method === "DELETE" && sandbox !== undefined) {
    sandboxes.delete(name);
    void sandbox.kill(); // the SIGKILL is sent before kill() first awaits
    answer(response, 204);
  } else answer(response, 409, `${request.method} /${name}: no such sandbox or already made\n`);
});
server.listen(0, "127.0.0.1", () => console.log((server.address() as AddressInfo).port));
process.once("SIGTERM", () => {
  server.close();
  void Promise.all([...sandboxes.values()].map((sandbox) => sandbox.kill())).then(() => process.exit(0));
});
