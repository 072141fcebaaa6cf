import type { FastifyInstance } from "fastify";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { FakeOrchestrator } from "./fake-orchestrator.js";
import { auth, fakeHub } from "./test-app.js";

let app: FastifyInstance;
let fake: FakeOrchestrator;
beforeEach(async () => {
  ({ app, fake } = await fakeHub({ HUB_BODY_LIMIT_BYTES: "8388608" }));
});
afterEach(async () => {
  await app.close();
});

async function createContainer(payload: object = {}) {
  return app.inject({ method: "POST", url: "/v1/containers", headers: auth, payload });
}

const refusal = (response: { statusCode: number; json: () => unknown }) => ({
  status: response.statusCode,
  ...(response.json() as { error: { code: string; message: string } }).error,
});

describe("what exec(2) cannot take", () => {
  const bigEnv = Object.fromEntries(Array.from({ length: 70 }, (_, i) => [`V${i}`, "v".repeat(32_000)]));

  it("refuses a container whose env leaves no room for a command, before creating it", async () => {
    expect(refusal(await createContainer({ env: bigEnv }))).toMatchObject({
      status: 400,
      code: "invalid_request",
      message: expect.stringMatching(/env takes 2\d{6} bytes; at most 524288/) as string,
    });
    expect(fake.specs).toHaveLength(0);
  });

  it("refuses a command whose arguments and env add up to more than one exec(2) may take", async () => {
    const id = (await createContainer({ env: { A: "x".repeat(30_000) } })).json<{ id: string }>().id;
    const command = ["echo", ...Array.from({ length: 80 }, () => "a".repeat(30_000))];
    const response = await app.inject({
      method: "POST",
      url: `/v1/containers/${id}/run`,
      headers: auth,
      payload: { command },
    });
    expect(refusal(response)).toMatchObject({
      status: 400,
      code: "invalid_request",
      message: expect.stringMatching(/command and env take 2\d{6} bytes; at most 524288.*files/) as string,
    });
    expect(fake.runs).toHaveLength(0);
  });
});

describe("text that is not valid Unicode", () => {
  // A lone surrogate has no UTF-8 form: it would silently become U+FFFD on the way to the sandbox.
  const lone = "a\ud800b";

  it("is refused in a file path, a file's utf8 content, a command and an env value", async () => {
    const id = (await createContainer()).json<{ id: string }>().id;
    for (const [url, payload, message] of [
      [
        `/v1/containers/${id}/files`,
        { files: [{ path: lone, content: "x" }] },
        /path .*lone UTF-16 surrogate/,
      ],
      [
        `/v1/containers/${id}/files`,
        { files: [{ path: "a", content: lone }] },
        /content .*lone UTF-16 surrogate.*base64/,
      ],
      [`/v1/containers/${id}/run`, { command: ["echo", lone] }, /command items .*lone UTF-16 surrogate/],
      [
        `/v1/containers/${id}/run`,
        { command: ["true"], env: { X: lone } },
        /env values .*lone UTF-16 surrogate/,
      ],
    ] as const) {
      const method = url.endsWith("files") ? "PUT" : "POST";
      const response = await app.inject({ method, url, headers: auth, payload });
      expect(refusal(response)).toMatchObject({
        status: 400,
        message: expect.stringMatching(message) as string,
      });
    }
    expect(fake.files.size).toBe(0);
    expect(fake.runs).toHaveLength(0);
  });

  it("still takes a character outside the BMP, which is a surrogate pair", async () => {
    const id = (await createContainer()).json<{ id: string }>().id;
    const response = await app.inject({
      method: "PUT",
      url: `/v1/containers/${id}/files`,
      headers: auth,
      payload: { files: [{ path: "notes-\u{1F600}.txt", content: "\u{1F600}" }] },
    });
    expect(response.statusCode).toBe(204);
    expect(fake.files.get(id)?.[0]?.path).toBe("notes-\u{1F600}.txt");
  });
});
