/**
 * The Hub's own server process (src/server.ts) with HUB_ORCHESTRATOR=ecs against moto: it reads
 * its API token from Secrets Manager and drives ECS through clients it builds itself, pointed at
 * moto only by AWS_ENDPOINT_URL (the SDK's standard endpoint override), as a deployed Hub would
 * be configured apart from that one variable.
 */
import { CreateSecretCommand, SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import { DeleteClusterCommand } from "@aws-sdk/client-ecs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { HUB_STOP_REASON } from "../../../src/orchestrator/ecs/task-info.js";
import { startMotoServer, type MotoServer } from "../../peers/moto-server.js";
import { PEER_INSTALL_TIMEOUT_MS } from "../../peers/python-env.js";
import { startProcess, type StartedProcess } from "../../peers/started-process.js";
import {
  CLUSTER,
  ECS_TASK_MODEL,
  STAY_RUNNING,
  ecsWorld,
  registerInfrastructureDefinition,
  tagsOf,
  taskOfSandbox,
  tasksStartedBy,
  type EcsWorld,
} from "./moto-world.js";

const HUB_APP = join(import.meta.dirname, "..", "..", "..");
const TOKEN = "token-from-secrets-manager-0123456789";
const INSTANCE = "hub-e2e";

let moto: MotoServer;
let world: EcsWorld;
let hub: StartedProcess;
let hubUrl: string;

beforeAll(async () => {
  moto = await startMotoServer();
  await moto.setTransition(ECS_TASK_MODEL, STAY_RUNNING);
  world = await ecsWorld(moto);
  await registerInfrastructureDefinition(world);
  const secrets = new SecretsManagerClient(moto.clientConfig);
  const { ARN } = await secrets.send(
    new CreateSecretCommand({ Name: "hub/api-token", SecretString: JSON.stringify({ token: TOKEN }) }),
  );
  secrets.destroy();
  hub = await startProcess({
    name: "the Hub (ecs over moto)",
    command: process.execPath,
    args: ["--import", "tsx", "src/server.ts"],
    cwd: HUB_APP,
    env: {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      ...world.env,
      HUB_ORCHESTRATOR: "ecs",
      HUB_API_TOKEN_SECRET_ARN: ARN,
      HUB_INSTANCE: INSTANCE,
      HOST: "127.0.0.1",
      PORT: "0",
      LOG_LEVEL: "warn",
      // A create that is not ready by then is cleaned up; moto never reports the exec agent.
      HUB_CREATE_TIMEOUT_MS: "1500",
      AWS_ENDPOINT_URL: moto.endpoint,
      AWS_ACCESS_KEY_ID: "moto",
      AWS_SECRET_ACCESS_KEY: "moto",
      AWS_EC2_METADATA_DISABLED: "true",
    },
    ready: /listening on (http:\/\/127\.0\.0\.1:\d+)/,
    timeoutMs: 60_000,
  });
  hubUrl = hub.readyMatch;
}, PEER_INSTALL_TIMEOUT_MS);

afterAll(async () => {
  await hub?.stop();
  await moto?.stop();
});

async function call(method: string, path: string, body?: unknown, token = TOKEN) {
  const response = await fetch(`${hubUrl}${path}`, {
    method,
    headers: {
      authorization: `Bearer ${token}`,
      ...(body === undefined ? {} : { "content-type": "application/json" }),
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await response.text();
  return {
    status: response.status,
    headers: response.headers,
    body: text === "" ? undefined : JSON.parse(text),
  };
}

const hubTasks = () => tasksStartedBy(world, INSTANCE);
const taskOf = (id: string) => taskOfSandbox(world, INSTANCE, id);

describe("the Hub process on ECS, against moto", () => {
  it("is ready on the ACTIVE cluster and takes only the token stored in Secrets Manager", async () => {
    expect(await call("GET", "/readyz")).toMatchObject({
      status: 200,
      body: { status: "ready", orchestrator: "ecs" },
    });
    expect((await call("GET", "/v1/containers", undefined, "a-guess-of-the-right-length")).status).toBe(401);
    expect(await call("GET", "/v1/containers")).toMatchObject({ status: 200, body: { items: [] } });
  });

  it("serves a sandbox's life over HTTP: create, read, extend, a command refused while pending, delete", async () => {
    const created = await call("POST", "/v1/containers?wait=false", { env: { PORT: "8000" } });
    expect(created).toMatchObject({ status: 201, body: { status: "pending", placement: "fargate" } });
    const id = (created.body as { id: string }).id;
    expect(tagsOf(await taskOf(id))).toMatchObject({
      "sandbox.hub/instance": INSTANCE,
      "sandbox.hub/id": id,
    });

    expect((await call("GET", "/v1/containers")).body).toMatchObject({ items: [{ id }] });
    expect(await call("GET", `/v1/containers/${id}`)).toMatchObject({
      status: 200,
      body: { id, status: "pending" },
    });

    const extended = await call("PATCH", `/v1/containers/${id}`, { ttlSeconds: 7200 });
    expect(extended.status).toBe(200);
    const expiresAt = (extended.body as { expiresAt: string }).expiresAt;
    expect(Date.parse(expiresAt) - Date.now()).toBeGreaterThan(7_100_000);
    expect(tagsOf(await taskOf(id))["sandbox.hub/expires-at"]).toBe(expiresAt);

    const command = await call("POST", `/v1/containers/${id}/run`, { command: ["ls", "/"] });
    expect(command).toMatchObject({ status: 409, body: { error: { code: "conflict" } } });
    expect((command.body as { error: { message: string } }).error.message).toMatch(
      /is pending, not ready for commands/,
    );

    expect((await call("DELETE", `/v1/containers/${id}`)).status).toBe(204);
    expect((await call("GET", `/v1/containers/${id}`)).status).toBe(404);
    expect(await taskOf(id)).toMatchObject({ lastStatus: "STOPPED", stoppedReason: HUB_STOP_REASON });
  });

  it("answers 504 for a create that is not ready in time, and stops the task it started", async () => {
    const before = new Set((await hubTasks()).map((task) => task.taskArn));
    const created = await call("POST", "/v1/containers", {});
    expect(created).toMatchObject({ status: 504, body: { error: { code: "timeout" } } });
    const started = (await hubTasks()).filter((task) => !before.has(task.taskArn));
    expect(started).toHaveLength(1);
    expect(started[0]).toMatchObject({ desiredStatus: "STOPPED", stoppedReason: HUB_STOP_REASON });
    expect((await call("GET", "/v1/containers")).body).toEqual({ items: [] });
  });

  it("is not ready once the cluster is gone, and says when to ask again", async () => {
    await world.ecs.send(new DeleteClusterCommand({ cluster: CLUSTER }));
    const ready = await call("GET", "/readyz");
    expect(ready).toMatchObject({ status: 503, body: { error: { code: "orchestrator_unavailable" } } });
    expect(ready.headers.get("retry-after")).toBe("5");
  });
});
