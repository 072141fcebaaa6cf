import type { FastifyInstance } from "fastify";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { HubError } from "../../src/errors.js";
import { CONTAINER_ID_PATTERN } from "../../src/ids.js";
import type { FakeOrchestrator } from "./fake-orchestrator.js";
import { auth, fakeHub } from "./test-app.js";

let app: FastifyInstance;
let fake: FakeOrchestrator;

beforeEach(async () => {
  ({ app, fake } = await fakeHub());
});
afterEach(async () => {
  await app.close();
});

async function createContainer(): Promise<string> {
  const response = await app.inject({ method: "POST", url: "/v1/containers", headers: auth, payload: {} });
  expect(response.statusCode).toBe(201);
  return response.json<{ id: string }>().id;
}

function expectError(
  response: { statusCode: number; json: () => unknown },
  status: number,
  code: string,
  message?: RegExp,
): void {
  expect(response.statusCode).toBe(status);
  const body = response.json() as { error: { code: string; message: string } };
  expect(body.error.code).toBe(code);
  if (message) expect(body.error.message).toMatch(message);
}

describe("authentication", () => {
  it("refuses every /v1 route without a bearer token, and with a wrong one", async () => {
    for (const [method, url] of [
      ["GET", "/v1/containers"],
      ["POST", "/v1/containers"],
      ["GET", "/v1/containers/cnt-abcde"],
      ["DELETE", "/v1/containers/cnt-abcde"],
      ["PATCH", "/v1/containers/cnt-abcde"],
      ["PUT", "/v1/containers/cnt-abcde/files"],
      ["POST", "/v1/containers/cnt-abcde/run"],
    ] as const) {
      expectError(await app.inject({ method, url }), 401, "unauthorized", /missing bearer token/);
      const wrong = await app.inject({ method, url, headers: { authorization: "Bearer not-the-token" } });
      expectError(wrong, 401, "unauthorized", /invalid bearer token/);
    }
    expect(fake.specs).toHaveLength(0);
  });

  it("leaves the probes and docs open", async () => {
    for (const url of ["/healthz", "/readyz", "/docs"]) {
      expect((await app.inject({ method: "GET", url })).statusCode).toBe(200);
    }
  });
});

describe("POST /v1/containers", () => {
  it("creates with defaults, waits for ready, and answers 201 with the container", async () => {
    const response = await app.inject({ method: "POST", url: "/v1/containers", headers: auth, payload: {} });
    expect(response.statusCode).toBe(201);
    const body = response.json();
    expect(body.id).toMatch(CONTAINER_ID_PATTERN);
    expect(body).toMatchObject({
      status: "running",
      placement: "local",
      image: "host",
      cpu: 0.25,
      memory: 512,
    });
    expect(body.timings).toEqual({ accepted: 1, ready: 2 });
    const spec = fake.specs[0]!;
    expect((spec.expiresAt.getTime() - spec.createdAt.getTime()) / 1000).toBe(3600);
  });

  it("gives a container that names no size the configured default size", async () => {
    await app.close();
    ({ app, fake } = await fakeHub({ HUB_DEFAULT_CPU: "0.5", HUB_DEFAULT_MEMORY_MIB: "256" }));
    const response = await app.inject({ method: "POST", url: "/v1/containers", headers: auth, payload: {} });
    expect(response.json()).toMatchObject({ cpu: 0.5, memory: 256 });
    expect(fake.specs[0]).toMatchObject({ cpu: 0.5, memoryMiB: 256 });
  });

  it("passes the requested size, ttl, env and ports through", async () => {
    const payload = {
      cpu: 2,
      memory: 1024,
      ttlSeconds: 120,
      env: { GREETING: "hi" },
      ports: [8000],
      placement: "local",
    };
    expect(
      (await app.inject({ method: "POST", url: "/v1/containers", headers: auth, payload })).statusCode,
    ).toBe(201);
    expect(fake.specs[0]).toMatchObject({ cpu: 2, memoryMiB: 1024, env: { GREETING: "hi" }, ports: [8000] });
  });

  it("returns at once with status pending when ?wait=false", async () => {
    const response = await app.inject({
      method: "POST",
      url: "/v1/containers?wait=false",
      headers: auth,
      payload: {},
    });
    expect(response.statusCode).toBe(201);
    expect(response.json().status).toBe("pending");
  });

  it.each([
    [{ cpu: 0.01 }, /^cpu must be a number from 0.1 to 4/],
    [{ cpu: 5 }, /cpu must be a number from 0.1 to 4/],
    [{ memory: 64 }, /memory \(MiB\) must be an integer from 128 to 8192/],
    [{ memory: 200.5 }, /memory \(MiB\) must be an integer from 128 to 8192/],
    [{ ttlSeconds: 10 }, /ttlSeconds must be an integer from 60 to 86400/],
    [{ ttlSeconds: 86401 }, /ttlSeconds must be an integer from 60 to 86400/],
    [{ placement: "moon" }, /placement must be one of local on this Hub \(got "moon"\)/],
    [{ placement: "fargate" }, /placement must be one of local on this Hub \(got "fargate"\)/],
    [{ env: { "1BAD": "x" } }, /env names must match/],
    [{ env: { X: "a\u0000b" } }, /env values must not contain NUL/],
    [{ ports: [70000] }, /^ports\[\] must be an integer from 1 to 65535 \(at ports\.0\)$/],
    [{ memoryMiB: 512 }, /memoryMiB/],
  ])("refuses %j with a 400 naming the field and range", async (payload, message) => {
    const response = await app.inject({ method: "POST", url: "/v1/containers", headers: auth, payload });
    expectError(response, 400, "invalid_request", message);
    expect(fake.specs).toHaveLength(0);
  });

  it("refuses a bad ?wait value", async () => {
    const response = await app.inject({
      method: "POST",
      url: "/v1/containers?wait=maybe",
      headers: auth,
      payload: {},
    });
    expectError(response, 400, "invalid_request", /wait must be true or false/);
  });

  it("deletes a container that fails to become ready and reports the failure", async () => {
    const create = fake.create.bind(fake);
    fake.create = async (spec) => {
      const info = await create(spec);
      fake.failNext(new HubError("container_failed", "ImagePullBackOff: no such image"));
      return info;
    };
    const response = await app.inject({ method: "POST", url: "/v1/containers", headers: auth, payload: {} });
    expectError(response, 502, "container_failed", /ImagePullBackOff/);
    expect(fake.containers.size).toBe(0);
  });

  it.each([
    ["throttled", 429],
    ["no_capacity", 503],
  ] as const)("answers %s with %i and Retry-After", async (code, status) => {
    fake.failNext(new HubError(code, "slow down", 7));
    const response = await app.inject({ method: "POST", url: "/v1/containers", headers: auth, payload: {} });
    expectError(response, status, code, /slow down/);
    expect(response.headers["retry-after"]).toBe("7");
  });

  it("never leaks an unexpected error's message or stack", async () => {
    fake.failNext(new Error("secret internals at /srv/hub/db.ts:42"));
    const response = await app.inject({ method: "POST", url: "/v1/containers", headers: auth, payload: {} });
    expectError(response, 500, "internal", /^internal error$/);
    expect(response.body).not.toContain("secret");
    expect(response.body).not.toContain("db.ts");
  });

  it("answers 413 for a body over the limit", async () => {
    const payload = { env: { BIG: "x".repeat(5000) } };
    expectError(
      await app.inject({ method: "POST", url: "/v1/containers", headers: auth, payload }),
      413,
      "payload_too_large",
      /4096 bytes/,
    );
  });

  it("answers 400 for a body that is not JSON", async () => {
    const response = await app.inject({
      method: "POST",
      url: "/v1/containers",
      headers: { ...auth, "content-type": "application/json" },
      payload: "{not json",
    });
    expectError(response, 400, "invalid_request", /not valid JSON/);
  });
});

describe("GET /v1/containers and /v1/containers/:id", () => {
  it("lists and gets containers", async () => {
    const id = await createContainer();
    const list = await app.inject({ method: "GET", url: "/v1/containers", headers: auth });
    expect(list.statusCode).toBe(200);
    expect(list.headers["content-type"]).toBe("application/json; charset=utf-8");
    expect(list.json().items.map((item: { id: string }) => item.id)).toEqual([id]);
    const one = await app.inject({ method: "GET", url: `/v1/containers/${id}`, headers: auth });
    expect(one.statusCode).toBe(200);
    expect(one.json().id).toBe(id);
  });
});

describe("a container this Hub does not have", () => {
  const routes = [
    ["GET", "", undefined],
    ["PATCH", "", { ttlSeconds: 600 }],
    ["DELETE", "", undefined],
    ["PUT", "/files", { files: [{ path: "a", content: "x" }] }],
    ["POST", "/run", { command: ["ls"] }],
  ] as const;
  it.each(
    routes.flatMap(([method, suffix, payload]) => [
      [method, `/v1/containers/cnt-zzzzz${suffix}`, payload],
      [method, `/v1/containers/..%2Fetc${suffix}`, payload],
    ]),
  )("answers %s %s with 404 not_found naming the id", async (method, url, payload) => {
    const response = await app.inject({ method, url, headers: auth, ...(payload ? { payload } : {}) });
    expectError(response, 404, "not_found", url.includes("cnt-zzzzz") ? /cnt-zzzzz/ : /\.\./);
  });
});

describe("requests the router refuses", () => {
  it("answers an over-long id with the Hub's 404, not fastify's 414", async () => {
    const response = await app.inject({
      method: "GET",
      url: `/v1/containers/cnt-${"a".repeat(200)}`,
      headers: auth,
    });
    expectError(response, 404, "not_found", /no such container/);
  });

  it("refuses a text/plain body as the wrong content type", async () => {
    const id = await createContainer();
    const response = await app.inject({
      method: "POST",
      url: `/v1/containers/${id}/run`,
      headers: { ...auth, "content-type": "text/plain" },
      payload: '{"command":["ls"]}',
    });
    expectError(response, 400, "invalid_request", /Content-Type must be application\/json/);
  });
});

describe("PATCH /v1/containers/:id", () => {
  it("keeps a container alive: it now expires ttlSeconds from now", async () => {
    const id = await createContainer();
    const before = Date.now();
    const response = await app.inject({
      method: "PATCH",
      url: `/v1/containers/${id}`,
      headers: auth,
      payload: { ttlSeconds: 7200 },
    });
    expect(response.statusCode).toBe(200);
    const expiresAt = Date.parse(response.json<{ expiresAt: string }>().expiresAt);
    expect(expiresAt).toBeGreaterThanOrEqual(before + 7_200_000);
    expect(expiresAt).toBeLessThanOrEqual(Date.now() + 7_200_000);
    expect(fake.containers.get(id)?.expiresAt).toBe(new Date(expiresAt).toISOString());
  });

  it.each([
    [{}, /ttlSeconds must be an integer from 60 to 86400/],
    [{ ttlSeconds: 86_401 }, /ttlSeconds must be an integer from 60 to 86400/],
    [{ ttlSeconds: 600, image: "x" }, /image/],
  ])("refuses %j with a 400", async (payload, message) => {
    const id = await createContainer();
    const response = await app.inject({
      method: "PATCH",
      url: `/v1/containers/${id}`,
      headers: auth,
      payload,
    });
    expectError(response, 400, "invalid_request", message);
  });
});

describe("DELETE /v1/containers/:id", () => {
  it("deletes with 204, then a second delete is 404", async () => {
    const id = await createContainer();
    const first = await app.inject({ method: "DELETE", url: `/v1/containers/${id}`, headers: auth });
    expect(first.statusCode).toBe(204);
    expect(first.body).toBe("");
    expectError(
      await app.inject({ method: "DELETE", url: `/v1/containers/${id}`, headers: auth }),
      404,
      "not_found",
    );
  });

  it("accepts a JSON content type with an empty body", async () => {
    const id = await createContainer();
    const headers = { ...auth, "content-type": "application/json" };
    expect((await app.inject({ method: "DELETE", url: `/v1/containers/${id}`, headers })).statusCode).toBe(
      204,
    );
  });
});

describe("PUT /v1/containers/:id/files", () => {
  it("decodes utf8 and base64 content and passes modes", async () => {
    const id = await createContainer();
    const payload = {
      files: [
        { path: "a.txt", content: "hé" },
        {
          path: "bin/run.sh",
          content: Buffer.from("#!").toString("base64"),
          encoding: "base64",
          mode: 0o755,
        },
      ],
    };
    expect(
      (await app.inject({ method: "PUT", url: `/v1/containers/${id}/files`, headers: auth, payload }))
        .statusCode,
    ).toBe(204);
    expect(fake.files.get(id)).toEqual([
      { path: "a.txt", content: Buffer.from("hé") },
      { path: "bin/run.sh", content: Buffer.from("#!"), mode: 0o755 },
    ]);
  });

  describe("with room for large bodies", () => {
    beforeEach(async () => {
      await app.close();
      ({ app, fake } = await fakeHub({ HUB_BODY_LIMIT_BYTES: "1048576", HUB_FILES_MAX_BYTES: "1048576" }));
    });

    it("accepts base64 wrapped over lines, as encoders write it", async () => {
      const id = await createContainer();
      const wrapped = `${Buffer.from("x".repeat(100))
        .toString("base64")
        .replace(/(.{76})/g, "$1\r\n")}\n`;
      const payload = { files: [{ path: "a", content: wrapped, encoding: "base64" }] };
      const response = await app.inject({
        method: "PUT",
        url: `/v1/containers/${id}/files`,
        headers: auth,
        payload,
      });
      expect(response.statusCode).toBe(204);
      expect(fake.files.get(id)?.[0]?.content.toString()).toBe("x".repeat(100));
    });

    it("refuses 100 000 line breaks before a bad character as not base64 (a linear check)", async () => {
      const id = await createContainer();
      const payload = { files: [{ path: "a", content: `${"\n".repeat(100_000)}!`, encoding: "base64" }] };
      const response = await app.inject({
        method: "PUT",
        url: `/v1/containers/${id}/files`,
        headers: auth,
        payload,
      });
      expectError(response, 400, "invalid_request", /files\[0\].content is not valid base64/);
    });

    it("refuses a command item or env value over 32768 characters, the most exec(2) takes", async () => {
      const id = await createContainer();
      const long = "x".repeat(32_769);
      for (const [payload, message] of [
        [{ command: ["echo", long] }, /command items must be at most 32768 characters/],
        [{ command: ["true"], env: { X: long } }, /env values must be at most 32768 characters/],
      ] as const) {
        const response = await app.inject({
          method: "POST",
          url: `/v1/containers/${id}/run`,
          headers: auth,
          payload,
        });
        expectError(response, 400, "invalid_request", message);
      }
      expect(fake.runs).toHaveLength(0);
    });
  });

  it.each([
    [
      { files: [{ path: "/etc/passwd", content: "x" }] },
      /^files\[\]\.path must be relative.* \(at files\.0\.path\)$/,
    ],
    [{ files: [{ path: "a/../../b", content: "x" }] }, /must not contain '\.\.'/],
    [{ files: [{ path: "", content: "x" }] }, /must name a file/],
    [{ files: [{ path: "./", content: "x" }] }, /must name a file, not end with '\/'/],
    [{ files: [{ path: "src/", content: "x" }] }, /must name a file, not end with '\/'/],
    [{ files: [{ path: "a//b", content: "x" }] }, /must not contain empty or '\.' segments/],
    [{ files: [{ path: "a/./b", content: "x" }] }, /must not contain empty or '\.' segments/],
    [
      { files: [{ path: "a", content: "%%%", encoding: "base64" }] },
      /files\[0\].content is not valid base64/,
    ],
    [
      { files: [{ path: "a", content: "x", mode: 0o4755 }] },
      /files\[\].mode must be an integer from 0 to 511/,
    ],
    [{ files: [] }, /at least one file/],
    [{ files: ["a", "b", "c", "d"].map((path) => ({ path, content: "" })) }, /at most 3 files per call/],
  ])("refuses %j with 400", async (payload, message) => {
    const id = await createContainer();
    expectError(
      await app.inject({ method: "PUT", url: `/v1/containers/${id}/files`, headers: auth, payload }),
      400,
      "invalid_request",
      message,
    );
    expect(fake.files.size).toBe(0);
  });

  it("answers 413 when the files add up to more than the per-call limit", async () => {
    const id = await createContainer();
    const payload = {
      files: [
        { path: "a", content: "123456" },
        { path: "b", content: "789012" },
      ],
    };
    expectError(
      await app.inject({ method: "PUT", url: `/v1/containers/${id}/files`, headers: auth, payload }),
      413,
      "payload_too_large",
      /10 bytes/,
    );
  });
});

describe("POST /v1/containers/:id/run", () => {
  it("runs with the default timeout and output cap, and returns the result", async () => {
    const id = await createContainer();
    const payload = { command: ["echo", "hi"], cwd: "src", env: { A: "1" } };
    const response = await app.inject({
      method: "POST",
      url: `/v1/containers/${id}/run`,
      headers: auth,
      payload,
    });
    expect(response.statusCode).toBe(200);
    expect(response.json()).toEqual({
      exitCode: 0,
      stdout: "echo hi",
      stderr: "",
      timedOut: false,
      truncated: false,
      durationMs: 1,
    });
    expect(fake.runs[0]).toEqual({
      command: ["echo", "hi"],
      cwd: "src",
      env: { A: "1" },
      timeoutMs: 30_000,
      maxOutputBytes: 1_048_576,
    });
  });

  it.each([
    [{ command: [] }, /command must have at least one item/],
    [{ command: [""] }, /command\[0\] \(the program\) must not be empty/],
    [{ command: "ls" }, /command must be an array of strings/],
    [{ command: ["ls"], timeoutMs: 600_001 }, /timeoutMs must be an integer from 1 to 600000/],
    [{ command: ["ls"], cwd: "/etc" }, /cwd must be relative/],
    [{ command: ["ls"], cwd: "../x" }, /cwd must not contain '\.\.'/],
    [{ command: ["echo", "a\u0000b"] }, /command items must not contain NUL/],
    [{ command: ["true"], env: { X: "a\u0000b" } }, /env values must not contain NUL/],
    [{}, /command/],
  ])("refuses %j with 400", async (payload, message) => {
    const id = await createContainer();
    expectError(
      await app.inject({ method: "POST", url: `/v1/containers/${id}/run`, headers: auth, payload }),
      400,
      "invalid_request",
      message,
    );
    expect(fake.runs).toHaveLength(0);
  });
});

describe("probes, metrics and docs", () => {
  it("answers /healthz with the version", async () => {
    expect((await app.inject({ method: "GET", url: "/healthz" })).json()).toMatchObject({
      status: "ok",
      version: expect.any(String),
    });
  });

  it("answers /readyz 503 with Retry-After when the orchestrator cannot be reached", async () => {
    expect((await app.inject({ method: "GET", url: "/readyz" })).statusCode).toBe(200);
    fake.pingError = new Error("connect ECONNREFUSED 10.0.0.1:443");
    const response = await app.inject({ method: "GET", url: "/readyz" });
    expectError(response, 503, "orchestrator_unavailable", /not reachable/);
    expect(response.headers["retry-after"]).toBe("5");
    expect(response.body).not.toContain("ECONNREFUSED");
  });

  it("says in /readyz why the orchestrator is not ready when it says so itself (a full HUB_LOCAL_ROOT)", async () => {
    fake.pingError = new HubError(
      "insufficient_storage",
      "no space left for sandboxes in HUB_LOCAL_ROOT (/srv/x)",
    );
    const response = await app.inject({ method: "GET", url: "/readyz" });
    expectError(
      response,
      503,
      "orchestrator_unavailable",
      /not reachable: no space left for sandboxes in HUB_LOCAL_ROOT \(\/srv\/x\)/,
    );
    fake.pingError = undefined;
  });

  it("exports create and run latency, containers by status and errors by code", async () => {
    const id = await createContainer();
    await app.inject({
      method: "POST",
      url: `/v1/containers/${id}/run`,
      headers: auth,
      payload: { command: ["ls"] },
    });
    await app.inject({ method: "GET", url: "/v1/containers/cnt-zzzzz", headers: auth });
    const text = (await app.inject({ method: "GET", url: "/metrics", headers: auth })).body;
    expect(text).toMatch(/hub_create_duration_seconds_count\{outcome="ok"\} 1/);
    expect(text).toMatch(/hub_run_duration_seconds_count\{outcome="ok"\} 1/);
    expect(text).toMatch(/hub_containers\{status="running"\} 1/);
    expect(text).toMatch(/hub_errors_total\{code="not_found"\} 1/);
  });

  it("serves the OpenAPI document of every /v1 route", async () => {
    const doc = (await app.inject({ method: "GET", url: "/docs" })).json();
    expect(doc.openapi).toMatch(/^3\./);
    expect(Object.keys(doc.paths).sort()).toEqual([
      "/v1/containers",
      "/v1/containers/{id}",
      "/v1/containers/{id}/files",
      "/v1/containers/{id}/ports/{port}/url",
      "/v1/containers/{id}/run",
      "/v1/pools",
    ]);
    expect(
      doc.paths["/v1/containers"].post.requestBody.content["application/json"].schema.properties.cpu,
    ).toMatchObject({
      type: "number",
      minimum: 0.1,
      maximum: 4,
    });
  });

  it("answers an unknown route with the JSON error shape", async () => {
    expectError(await app.inject({ method: "GET", url: "/nope" }), 404, "not_found", /no route GET \/nope/);
  });

  it("closes the orchestrator when the app closes", async () => {
    await app.close();
    expect(fake.closed).toBe(true);
  });
});
