import { describe, expect, it } from "vitest";
import { parseHubEnv } from "../../src/config.js";
import { kubernetesEnvSchema } from "../../src/orchestrator/kubernetes/index.js";

const base = { HUB_ORCHESTRATOR: "kubernetes", HUB_API_TOKEN: "a-token-of-sixteen-chars" };

describe("the kubernetes orchestrator's environment", () => {
  it("defaults to the labels, taint and namespace the infrastructure deploys", () => {
    const config = parseHubEnv(base);
    expect(config.orchestrator).toEqual({
      kind: "kubernetes",
      settings: {
        namespace: "sandboxes",
        placements: ["ec2"],
        workerLabel: { key: "sandbox.hub/pool", value: "workers" },
        workerTaint: { key: "sandbox.hub/dedicated", value: "sandbox", effect: "NoSchedule" },
        fargateLabel: { key: "sandbox.hub/placement", value: "fargate" },
        unschedulableDeadlineMs: 120_000,
        workdir: "/workspace",
      },
    });
  });

  it("reads placements in order, the first being the default", () => {
    const settings = kubernetesEnvSchema.parse({ HUB_K8S_PLACEMENTS: " fargate , ec2 " });
    expect(settings.placements).toEqual(["fargate", "ec2"]);
  });

  it.each([
    [{ HUB_K8S_PLACEMENTS: "ec2,gpu" }, /HUB_K8S_PLACEMENTS must be a comma list of distinct ec2, fargate/],
    [{ HUB_K8S_PLACEMENTS: "ec2,ec2" }, /HUB_K8S_PLACEMENTS must be a comma list of distinct/],
    [{ HUB_K8S_WORKER_LABEL: "no-equals-sign" }, /HUB_K8S_WORKER_LABEL must be key=value/],
    [
      { HUB_K8S_WORKER_TAINT: "a=b:Sometimes" },
      /HUB_K8S_WORKER_TAINT must be key=value:Effect with Effect one of/,
    ],
    [{ HUB_K8S_NAMESPACE: "Sandboxes!" }, /HUB_K8S_NAMESPACE must be a namespace name/],
    [
      { HUB_K8S_UNSCHEDULABLE_DEADLINE_MS: "5" },
      /HUB_K8S_UNSCHEDULABLE_DEADLINE_MS must be an integer from 1000/,
    ],
    [{ HUB_K8S_WORKDIR: "/work/../etc" }, /HUB_K8S_WORKDIR must be an absolute path/],
  ])("stops the start on %o with a message naming the variable", (env, message) => {
    expect(() => parseHubEnv({ ...base, ...env })).toThrow(message);
  });
});
