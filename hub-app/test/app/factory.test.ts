import pino from "pino";
import { describe, expect, it } from "vitest";
import { parseHubEnv } from "../../src/config.js";
import { createOrchestrator } from "../../src/orchestrator/factory.js";

const context = { instance: "hub", logger: pino({ level: "silent" }) };

describe("createOrchestrator", () => {
  it("builds the orchestrator HUB_ORCHESTRATOR names", async () => {
    const local = await createOrchestrator(
      parseHubEnv({ HUB_LOCAL_ROOT: "/tmp/hub-factory-test" }).orchestrator,
      context,
    );
    expect(local.kind).toBe("local");
    expect(local.placements).toEqual(["local"]);
    await local.close();

    const ecs = await createOrchestrator(
      parseHubEnv({
        HUB_ORCHESTRATOR: "ecs",
        HUB_API_TOKEN: "a-token-of-sixteen-chars",
        AWS_REGION: "eu-west-1",
        HUB_ECS_CLUSTER: "sandboxes",
        HUB_ECS_SUBNETS: "subnet-0abc",
        HUB_ECS_SECURITY_GROUPS: "sg-0abc",
        HUB_ECS_TASK_FAMILY: "sandbox",
        HUB_ECS_EXECUTION_ROLE_ARN: "arn:aws:iam::123456789012:role/exec",
        HUB_ECS_TASK_ROLE_ARN: "arn:aws:iam::123456789012:role/task",
        HUB_ECS_LOG_GROUP: "/hub/sandboxes",
      }).orchestrator,
      context,
    );
    expect(ecs.kind).toBe("ecs");
    await ecs.close();
  });
});
