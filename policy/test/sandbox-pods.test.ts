import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { hubKubernetesEnvironment } from "../../components/kubernetes/hub-environment";
import { sandboxPodsLockedDown } from "../isolation/sandbox-pods";
import { T } from "../lib/types";
import { eksStack, SANDBOX_SIZE } from "./eks-fixture";
import { messagesOf } from "./policy-args";

describe("sandbox-pods-locked-down", () => {
  it("passes the placeholders, the image puller and the Hub as the components build them", async () => {
    expect(await eksStack().stack.check(sandboxPodsLockedDown)).toEqual({ violations: [] });
  });

  it("fails a placeholder that mounts a token, runs privileged and adds a capability, on that resource", async () => {
    const { stack, placeholders } = eksStack();
    const spec = placeholders.props.spec.template.spec;
    spec.automountServiceAccountToken = true;
    spec.containers[0].securityContext = { privileged: true, capabilities: { add: ["NET_ADMIN"] } };
    const outcome = await stack.check(sandboxPodsLockedDown);
    expect(outcome.violations).toEqual([
      {
        urn: placeholders.urn,
        message: expect.stringMatching(
          /automountServiceAccountToken is not false.*container "pause" is privileged.*adds capabilities NET_ADMIN.*Fix:/,
        ),
      },
    ]);
  });

  it("fails a puller on the host network with a hostPath: it tolerates the worker taint, so it is sandbox-side", async () => {
    const { stack, puller } = eksStack();
    const spec = puller.props.spec.template.spec;
    spec.hostNetwork = true;
    spec.volumes = [{ name: "docker", hostPath: { path: "/var/run" } }];
    expect(messagesOf(await stack.check(sandboxPodsLockedDown))).toEqual([
      expect.stringMatching(/hostNetwork is true; volume "docker" mounts a hostPath/),
    ]);
  });

  it("covers any pod in the namespace where the Hub may create pods, and leaves the Hub's own pod alone", async () => {
    const { stack } = eksStack();
    stack.add(T.deployment, "debug", {
      metadata: { namespace: "sandboxes" },
      spec: { template: { spec: { containers: [{ name: "debug", image: "busybox" }] } } },
    });
    expect(messagesOf(await stack.check(sandboxPodsLockedDown))).toEqual([
      expect.stringContaining('kubernetes:apps/v1:Deployment "debug"'),
    ]);
  });

  it("passes the pod the Hub builds for a sandbox, on EC2 workers and on Fargate", async () => {
    // hub-app is ESM with .js specifiers: loaded at run time rather than through this package's tsconfig.
    const dir = join(__dirname, "../../hub-app/src/orchestrator/kubernetes");
    const { buildSandboxPod } = (await import(join(dir, "pod-spec.ts"))) as {
      buildSandboxPod: (
        spec: object,
        settings: unknown,
        instance: string,
      ) => { metadata: object; spec: object };
    };
    const { kubernetesEnvSchema } = (await import(join(dir, "settings.ts"))) as {
      kubernetesEnvSchema: { parse(env: object): unknown };
    };
    const env = hubKubernetesEnvironment({
      instance: "eks",
      tokenSecretArn: "arn:aws:secretsmanager:eu-west-1:1:secret:t",
      region: "eu-west-1",
      sandboxNamespace: "sandboxes",
      placements: ["ec2", "fargate"],
      defaultSandboxImage: "python:3.12-slim",
      defaultSandboxSize: SANDBOX_SIZE,
    });
    const settings = kubernetesEnvSchema.parse(env);
    for (const placement of ["ec2", "fargate"]) {
      const { stack } = eksStack();
      const now = new Date();
      const pod = buildSandboxPod(
        {
          id: "cnt-abcde",
          image: "python:3.12-slim",
          cpu: 0.1,
          memoryMiB: 128,
          placement,
          env: {},
          ports: [3000],
          createdAt: now,
          expiresAt: now,
        },
        settings,
        "eks",
      );
      stack.add("kubernetes:core/v1:Pod", `sandbox-${placement}`, {
        metadata: { ...pod.metadata, namespace: "sandboxes" },
        spec: pod.spec,
      });
      expect(await stack.check(sandboxPodsLockedDown), placement).toEqual({ violations: [] });
    }
  });
});
