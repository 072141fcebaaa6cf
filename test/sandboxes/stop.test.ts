/**
 * `npm run sandboxes -- stop`, run as the operator runs it, against moto's ECS and a Kubernetes API
 * (the Hub's own test fake): it stops exactly the sandboxes that carry this stack's Hub marker, waits
 * until they are gone, and leaves the Hub's own tasks and other Hubs' sandboxes alone.
 */
import { execFile } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import {
  CreateClusterCommand,
  DescribeTasksCommand,
  ECSClient,
  ListTasksCommand,
  RegisterTaskDefinitionCommand,
  RunTaskCommand,
} from "@aws-sdk/client-ecs";
import { CoreV1Api } from "@kubernetes/client-node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { STOP_REASON } from "../../scripts/sandboxes/ecs";
import { stopTargets } from "../../scripts/sandboxes/targets";
import { startFakeKubeApi, type FakeKubeApi } from "../../hub-app/test/kubernetes/fake-api-server";
import { startMotoServer, type MotoServer } from "../../hub-app/test/peers/moto-server";
import { PEER_INSTALL_TIMEOUT_MS } from "../../hub-app/test/peers/python-env";
import { REPO_ROOT } from "../harness/stack";

const run = promisify(execFile);
const CLUSTER = "sandbox-platform-dev-ecs";
const credentials = { accessKeyId: "testing", secretAccessKey: "testing" };
let moto: MotoServer;
let kube: FakeKubeApi;
let ecs: ECSClient;
let workdir: string;

/** The CLI, as `npm run sandboxes --` runs it, against the local ECS endpoint. */
function sandboxes(args: string[]) {
  return run(
    process.execPath,
    [
      join(REPO_ROOT, "node_modules", "tsx", "dist", "cli.mjs"),
      join(REPO_ROOT, "scripts", "sandboxes.ts"),
      ...args,
    ],
    {
      env: {
        ...process.env,
        AWS_ENDPOINT_URL_ECS: moto.endpoint,
        AWS_ACCESS_KEY_ID: credentials.accessKeyId,
        AWS_SECRET_ACCESS_KEY: credentials.secretAccessKey,
      },
    },
  );
}

async function runTasks(count: number, tags: { key: string; value: string }[]): Promise<string[]> {
  const started = await ecs.send(
    new RunTaskCommand({ cluster: CLUSTER, taskDefinition: "sandbox", launchType: "FARGATE", count, tags }),
  );
  return started.tasks!.map((task) => task.taskArn!);
}

async function tasks(arns: string[]) {
  return (await ecs.send(new DescribeTasksCommand({ cluster: CLUSTER, tasks: arns }))).tasks!;
}

function pod(name: string, instance: string) {
  return {
    metadata: { name, labels: { "sandbox.hub/instance": instance, "sandbox.hub/id": name } },
    spec: { containers: [{ name: "sandbox", image: "python:3.12-slim" }] },
  };
}

let ours: string[];
let othersHub: string[];
let hubItself: string[];

beforeAll(async () => {
  workdir = mkdtempSync(join(tmpdir(), "stop-sandboxes-"));
  [moto, kube] = await Promise.all([startMotoServer(), startFakeKubeApi()]);
  ecs = new ECSClient({ region: "eu-west-1", endpoint: moto.endpoint, credentials });
  await ecs.send(new CreateClusterCommand({ clusterName: CLUSTER }));
  // moto needs container memory; the command does not look at task definitions at all.
  await ecs.send(
    new RegisterTaskDefinitionCommand({
      family: "sandbox",
      containerDefinitions: [{ name: "sandbox", image: "python:3.12-slim", essential: true, memory: 512 }],
    }),
  );
  ours = await runTasks(3, [{ key: "sandbox.hub/instance", value: "ecs-fargate" }]);
  othersHub = await runTasks(1, [{ key: "sandbox.hub/instance", value: "ecs-fargate-staging" }]);
  hubItself = await runTasks(1, []);
  const core = kube.kubeConfig().makeApiClient(CoreV1Api);
  for (const [name, instance] of [
    ["cnt-ours1", "eks"],
    ["cnt-ours2", "eks"],
    ["cnt-other", "eks-staging"],
  ] as const) {
    await core.createNamespacedPod({ namespace: "sandboxes", body: pod(name, instance) });
  }
}, PEER_INSTALL_TIMEOUT_MS); // the first run installs moto into a cached virtualenv (docs/testing.md)

afterAll(async () => {
  ecs?.destroy();
  await Promise.all([moto?.stop(), kube?.close()]);
  rmSync(workdir, { recursive: true, force: true });
});

function writeOutputs(): string {
  const file = join(workdir, "outputs.json");
  const outputs = {
    candidates: ["eks-ec2", "ecs-fargate"],
    ecs: {
      hubUrl: "http://hub.example",
      hubEnvironment: { AWS_REGION: "eu-west-1", HUB_ECS_CLUSTER: CLUSTER, HUB_INSTANCE: "ecs-fargate" },
    },
    eks: {
      hubUrl: "http://hub-eks.example",
      hubEnvironment: { HUB_K8S_NAMESPACE: "sandboxes", HUB_INSTANCE: "eks" },
      kubeconfig: kube.kubeConfig().exportConfig(),
    },
  };
  writeFileSync(file, JSON.stringify(outputs));
  return file;
}

describe("npm run sandboxes -- stop", () => {
  it("stops this stack's sandboxes on ECS and EKS, waits until they are gone, and says so", async () => {
    const { stdout } = await sandboxes([
      "stop",
      "--stack",
      "dev",
      "--outputs",
      writeOutputs(),
      "--timeout",
      "60",
    ]);
    expect(stdout).toContain(`ECS cluster ${CLUSTER}: 3 sandbox task(s) of Hub "ecs-fargate" stopped`);
    expect(stdout).toContain(`Kubernetes namespace sandboxes: 2 sandbox pod(s) of Hub "eks" deleted`);
    expect(stdout).toContain("`pulumi destroy -s dev` can run now");
    for (const task of await tasks(ours)) {
      expect(task).toMatchObject({
        desiredStatus: "STOPPED",
        lastStatus: "STOPPED",
        stoppedReason: STOP_REASON,
      });
    }
    expect([...kube.pods.keys()]).toEqual(["sandboxes/cnt-other"]);
  });

  it("leaves the Hub's own tasks and another Hub's sandboxes running", async () => {
    for (const task of await tasks([...othersHub, ...hubItself])) expect(task.desiredStatus).toBe("RUNNING");
    const stillRunning = await ecs.send(new ListTasksCommand({ cluster: CLUSTER, desiredStatus: "RUNNING" }));
    expect(stillRunning.taskArns!.filter((arn) => ours.includes(arn))).toEqual([]);
  });

  it("refuses a call without a stack, saying how to call it", async () => {
    const failure = await sandboxes(["stop"]).catch((error: { code: number; stderr: string }) => error);
    expect(failure).toMatchObject({ code: 2 });
    expect((failure as { stderr: string }).stderr).toContain("--stack <name> is required");
    expect((failure as { stderr: string }).stderr).toContain(
      "usage: npm run sandboxes -- stop --stack <name>",
    );
  });
});

describe("stopTargets", () => {
  it("refuses outputs whose kubeconfig Pulumi kept secret, saying how to show it", () => {
    const outputs = {
      eks: { hubEnvironment: { HUB_K8S_NAMESPACE: "s", HUB_INSTANCE: "eks" }, kubeconfig: "[secret]" },
    };
    expect(() => stopTargets(outputs)).toThrow(/--show-secrets/);
  });

  it("refuses outputs of another project, naming what is missing", () => {
    expect(() => stopTargets({ ecs: { hubUrl: "x" } })).toThrow(/ecs\.hubEnvironment/);
    expect(() => stopTargets({ vpcId: "vpc-1" })).toThrow(/no Hub/);
  });
});
