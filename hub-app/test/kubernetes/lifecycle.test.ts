import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { Orchestrator } from "../../src/orchestrator/types.js";
import { startFakeKubeApi, type FakeKubeApi } from "./fake-api-server.js";
import { containerSpec, failureOf, INSTANCE, NAMESPACE, orchestratorOn, readySandbox } from "./fixtures.js";

let fake: FakeKubeApi;
let orchestrator: Orchestrator;

beforeEach(async () => {
  fake = await startFakeKubeApi();
  orchestrator = orchestratorOn(fake);
});
afterEach(async () => {
  await orchestrator.close();
  await fake.close();
});

describe("creating a sandbox pod", () => {
  it("creates a labelled pod, waits on the watch until it is ready and reports its timings and IP", async () => {
    const spec = containerSpec({ env: { LANGUAGE: "python" }, ports: [8000] });
    const pending = await orchestrator.create(spec);
    expect(pending).toMatchObject({
      id: spec.id,
      status: "pending",
      placement: "ec2",
      cpu: 0.25,
      memory: 512,
    });

    const ready = await orchestrator.waitReady(spec.id, 10_000);

    expect(ready).toMatchObject({
      id: spec.id,
      status: "running",
      ip: "10.0.3.17",
      image: spec.image,
      ports: [8000],
    });
    expect(await orchestrator.portTarget(ready, 8000)).toEqual({
      kind: "tcp",
      host: "10.0.3.17",
      port: 8000,
    });
    expect(ready.timings.ready).toBeGreaterThanOrEqual(0);
    expect(ready.readyAt).toBeDefined();
    expect(ready.expiresAt).toBe(spec.expiresAt.toISOString());
    const stored = fake.pods.get(`${NAMESPACE}/${spec.id}`);
    expect(stored?.metadata.labels).toMatchObject({
      "sandbox.hub/instance": INSTANCE,
      "sandbox.hub/id": spec.id,
    });
    // Readiness came from the watch: no request polled the pod more than the one gap-closing read.
    const reads = fake.requests.filter(
      (r) => r.query.get("watch") !== "true" && r.query.get("labelSelector")?.includes(spec.id),
    );
    expect(reads.length).toBeLessThanOrEqual(1);
  });

  it("shares one watch among many sandboxes starting at once and closes it when nobody waits", async () => {
    const specs = Array.from({ length: 20 }, () => containerSpec());
    await Promise.all(specs.map((spec) => orchestrator.create(spec)));
    const ready = await Promise.all(specs.map((spec) => orchestrator.waitReady(spec.id, 10_000)));
    expect(ready.every((info) => info.status === "running")).toBe(true);
    const watches = fake.requests.filter((r) => r.query.get("watch") === "true");
    expect(watches.length).toBe(1);
    expect(watches[0]?.query.get("labelSelector")).toBe(`sandbox.hub/instance=${INSTANCE}`);
    await expect.poll(() => fake.openWatches).toBe(0);
  });

  it("reopens a watch the server ended and still sees the pod become ready", async () => {
    fake.kubeletStepMs = 200;
    const spec = containerSpec();
    await orchestrator.create(spec);
    const ready = orchestrator.waitReady(spec.id, 10_000);
    await expect.poll(() => fake.openWatches).toBe(1);
    fake.dropWatches();
    await expect(ready).resolves.toMatchObject({ status: "running" });
    expect(fake.requests.filter((r) => r.query.get("watch") === "true").length).toBeGreaterThanOrEqual(2);
  });

  it("keeps waiting through a failing watch request and succeeds once it is back", async () => {
    fake.kubeletStepMs = 100;
    fake.failNext("GET", /\/pods$/, 500, "InternalError", "etcd leader changed");
    const info = await readySandbox(orchestrator);
    expect(info.status).toBe("running");
  });

  it("places fargate sandboxes by the Fargate profile's label, without a node selector or toleration", async () => {
    const spec = containerSpec({ placement: "fargate" });
    await orchestrator.create(spec);
    const pod = fake.pods.get(`${NAMESPACE}/${spec.id}`);
    expect(pod?.metadata.labels?.["sandbox.hub/placement"]).toBe("fargate");
    expect(pod?.spec.nodeSelector).toBeUndefined();
    expect(pod?.spec.tolerations).toBeUndefined();
  });
});

describe("a sandbox whose pod has another name (adopted, e.g. a claimed pool member)", () => {
  it("is found by its id label for get, run, extend and delete, by a Hub that never saw it created", async () => {
    const ready = await readySandbox(orchestrator);
    const pod = fake.pods.get(`${NAMESPACE}/${ready.id}`);
    if (pod === undefined) throw new Error("the fake has no pod for the sandbox");
    fake.pods.delete(`${NAMESPACE}/${ready.id}`);
    pod.metadata.name = "warm-pool-0001";
    fake.pods.set(`${NAMESPACE}/warm-pool-0001`, pod);
    const restarted = orchestratorOn(fake);

    await expect(restarted.get(ready.id)).resolves.toMatchObject({ id: ready.id, status: "running" });
    const run = await restarted.run(ready.id, {
      command: ["echo", "hi"],
      timeoutMs: 5000,
      maxOutputBytes: 1024,
    });
    expect(run).toMatchObject({ exitCode: 0, stdout: "hi\n" });
    expect(fake.execCalls.at(-1)?.pod).toBe("warm-pool-0001");
    const later = new Date(Date.now() + 7_200_000);
    await expect(restarted.extend(ready.id, later)).resolves.toMatchObject({
      expiresAt: later.toISOString(),
    });
    await expect(restarted.delete(ready.id)).resolves.toBe(true);
    expect(fake.requests.some((r) => r.method === "DELETE" && r.path.endsWith("/pods/warm-pool-0001"))).toBe(
      true,
    );
    await restarted.close();
  });
});

describe("a pod that cannot start", () => {
  it("fails fast on an image pull error with the kubelet's reason", async () => {
    const spec = containerSpec({ image: "registry.example/unpullable:1" });
    await orchestrator.create(spec);
    const error = await failureOf(orchestrator.waitReady(spec.id, 60_000));
    expect(error.code).toBe("container_failed");
    expect(error.message).toMatch(/ErrImagePull: Back-off pulling image "registry.example\/unpullable:1"/);
    expect(error.message).toMatch(/\(events: Failed: Failed to pull image .*code = NotFound/);
  });

  it("fails an unschedulable pod once the deadline has passed, quoting the scheduler", async () => {
    const quick = orchestratorOn(fake, { settings: { HUB_K8S_UNSCHEDULABLE_DEADLINE_MS: "1000" } });
    const spec = containerSpec({ image: "python:unschedulable" });
    await quick.create(spec);
    const error = await failureOf(quick.waitReady(spec.id, 60_000));
    expect(error.code).toBe("container_failed");
    expect(error.message).toMatch(/Unschedulable for \d+ s: 0\/3 nodes are available: 3 Insufficient cpu/);
    // The autoscaler's word, from the pod's events; the scheduler's repeats the status and is left out.
    expect(error.message).toMatch(
      /\(events: NotTriggerScaleUp: pod didn't trigger scale-up: 1 max node group size reached\)$/,
    );
    const eventReads = fake.requests.filter((r) => r.path === `/api/v1/namespaces/${NAMESPACE}/events`);
    expect(eventReads.map((r) => r.query.get("fieldSelector"))).toEqual([
      `involvedObject.kind=Pod,involvedObject.name=${spec.id}`,
    ]);
    await quick.close();
  });

  it("still reports the failure when the events cannot be read", async () => {
    const quick = orchestratorOn(fake, { settings: { HUB_K8S_UNSCHEDULABLE_DEADLINE_MS: "1000" } });
    fake.failNext("GET", /\/events$/, 403, "Forbidden", "events is forbidden");
    const spec = containerSpec({ image: "python:unschedulable" });
    await quick.create(spec);
    const error = await failureOf(quick.waitReady(spec.id, 60_000));
    expect(error.code).toBe("container_failed");
    expect(error.message).toMatch(/Insufficient cpu\.$/);
    await quick.close();
  });

  it("reports a container that exited instead of staying up", async () => {
    const spec = containerSpec({ image: "distroless:crashing" });
    await orchestrator.create(spec);
    const error = await failureOf(orchestrator.waitReady(spec.id, 60_000));
    expect(error.message).toMatch(/container exited \(Error, exit code 127\): exec: \/bin\/sh: not found/);
  });

  it("times out a pod that stays pending", async () => {
    const spec = containerSpec({ image: "python:stuck" });
    await orchestrator.create(spec);
    const error = await failureOf(orchestrator.waitReady(spec.id, 300));
    expect(error.code).toBe("timeout");
    expect(error.message).toMatch(/not ready for commands within 300 ms/);
    expect(fake.requests.some((r) => r.path.endsWith("/events"))).toBe(true);
    expect((await orchestrator.get(spec.id))?.status).toBe("pending");
  });

  it("answers not_found when waiting for a pod that does not exist", async () => {
    const error = await failureOf(orchestrator.waitReady("cnt-absent1", 1000));
    expect(error.code).toBe("not_found");
  });
});

describe("API errors", () => {
  it("maps 409 AlreadyExists to conflict", async () => {
    const spec = containerSpec();
    await orchestrator.create(spec);
    const error = await failureOf(orchestrator.create(spec));
    expect(error.code).toBe("conflict");
    expect(error.message).toMatch(/already exists/);
  });

  it("maps 403 without quota to an RBAC message and 403 quota to no_capacity with Retry-After", async () => {
    fake.failNext(
      "POST",
      /\/pods$/,
      403,
      "Forbidden",
      'pods is forbidden: User "system:serviceaccount:hub:hub" cannot create resource "pods"',
    );
    const rbac = await failureOf(orchestrator.create(containerSpec()));
    expect(rbac.code).toBe("orchestrator_unavailable");
    expect(rbac.message).toMatch(/not allowed to create pod .* check its RBAC Role/);

    fake.failNext(
      "POST",
      /\/pods$/,
      403,
      "Forbidden",
      'pods "cnt-x" is forbidden: exceeded quota: sandboxes, requested: cpu=250m',
      {
        "retry-after": "7",
      },
    );
    const quota = await failureOf(orchestrator.create(containerSpec()));
    expect(quota.code).toBe("no_capacity");
    expect(quota.retryAfterSeconds).toBe(7);
  });

  it("maps 429 to throttled with the server's Retry-After", async () => {
    fake.failNext("POST", /\/pods$/, 429, "TooManyRequests", "too many requests", { "retry-after": "3" });
    const error = await failureOf(orchestrator.create(containerSpec()));
    expect(error.code).toBe("throttled");
    expect(error.retryAfterSeconds).toBe(3);
  });

  it("fails readiness when RBAC lacks a right a sandbox's life needs, naming each one", async () => {
    fake.deniedAccess.add("create pods/exec");
    fake.deniedAccess.add("patch pods");
    const strict = orchestratorOn(fake);
    const denied = await failureOf(strict.ping());
    expect(denied.code).toBe("orchestrator_unavailable");
    expect(denied.message).toBe(
      `RBAC does not let the Hub patch pods, create pods/exec in namespace ${NAMESPACE}: grant them in its Role there`,
    );
    fake.deniedAccess.clear();
    await strict.ping();
    // A pass is trusted for a while: the next probes ask nothing more of the authorizer.
    const reviews = () => fake.requests.filter((r) => r.path.endsWith("/selfsubjectaccessreviews")).length;
    const before = reviews();
    await strict.ping();
    expect(reviews()).toBe(before);
    await strict.close();
  });

  it("fails readiness with a clear message when the credentials are refused or the server is gone", async () => {
    const wrongToken = orchestratorOn(fake, { token: "not-the-token" });
    const refused = await failureOf(wrongToken.ping());
    expect(refused.message).toMatch(/did not accept the Hub's credentials/);
    await wrongToken.close();

    await orchestrator.ping();
    await fake.close();
    const gone = await failureOf(orchestrator.ping());
    expect(gone.code).toBe("orchestrator_unavailable");
    expect(gone.message).toMatch(/cannot reach the Kubernetes API to list pods/);
    fake = await startFakeKubeApi();
  });
});

describe("get, list, extend and delete", () => {
  it("lists only this Hub's sandboxes and a new Hub instance with the same name sees and deletes them", async () => {
    const mine = await readySandbox(orchestrator);
    const other = orchestratorOn(fake, { instance: "other-hub" });
    const theirs = await readySandbox(other);

    expect((await orchestrator.list()).map((info) => info.id)).toEqual([mine.id]);
    expect(await orchestrator.get(theirs.id)).toBeUndefined();
    expect(await orchestrator.delete(theirs.id)).toBe(false);

    const restarted = orchestratorOn(fake);
    expect((await restarted.get(mine.id))?.status).toBe("running");
    expect(await restarted.delete(mine.id)).toBe(true);
    expect(await restarted.delete(mine.id)).toBe(false);
    await expect.poll(() => fake.pods.has(`${NAMESPACE}/${mine.id}`)).toBe(false);
    expect(await restarted.get(mine.id)).toBeUndefined();
    await Promise.all([other.close(), restarted.close()]);
  });

  it("deletes only the pod it read (uid precondition) with a short grace period", async () => {
    const info = await readySandbox(orchestrator);
    await orchestrator.delete(info.id);
    const request = fake.requests.find((r) => r.method === "DELETE");
    expect(request?.body).toMatchObject({ preconditions: { uid: expect.any(String) as string } });
    expect(request?.query.get("gracePeriodSeconds")).toBe("1");
  });

  it("moves the expiry with a merge patch of one annotation, which a restarted Hub reads back", async () => {
    const info = await readySandbox(orchestrator);
    const later = new Date(Date.parse(info.expiresAt) + 7_200_000);
    const extended = await orchestrator.extend(info.id, later);
    expect(extended).toMatchObject({ id: info.id, status: "running", expiresAt: later.toISOString() });
    const patch = fake.requests.find((r) => r.method === "PATCH");
    expect(patch?.body).toEqual({
      metadata: {
        uid: fake.pods.get(`${NAMESPACE}/${info.id}`)?.metadata.uid,
        annotations: { "sandbox.hub/expires-at": later.toISOString() },
      },
    });
    const restarted = orchestratorOn(fake);
    expect((await restarted.get(info.id))?.expiresAt).toBe(later.toISOString());
    await restarted.close();
  });

  it("extends nothing that is not this Hub's running sandbox", async () => {
    expect(await orchestrator.extend("cnt-absent1", new Date())).toBeUndefined();
    const other = orchestratorOn(fake, { instance: "other-hub" });
    const theirs = await readySandbox(other);
    expect(await orchestrator.extend(theirs.id, new Date())).toBeUndefined();
    const mine = await readySandbox(orchestrator);
    await orchestrator.delete(mine.id);
    expect(await orchestrator.extend(mine.id, new Date())).toBeUndefined();
    expect(fake.requests.filter((r) => r.method === "PATCH")).toHaveLength(0);
    await other.close();
  });
});
