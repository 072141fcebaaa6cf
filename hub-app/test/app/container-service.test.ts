import { describe, expect, it } from "vitest";
import { parseHubEnv } from "../../src/config.js";
import { HubError } from "../../src/errors.js";
import { createMetrics } from "../../src/metrics.js";
import type { Placement } from "../../src/orchestrator/types.js";
import { ContainerService } from "../../src/services/containers.js";
import { FakeOrchestrator } from "./fake-orchestrator.js";

const quiet = { info: () => undefined, warn: () => undefined };

function serviceOn(placements: readonly Placement[]) {
  const orchestrator = new FakeOrchestrator(placements);
  const config = parseHubEnv({ HUB_API_TOKEN: "a-token-of-sixteen-chars", HUB_TTL_DEFAULT_SECONDS: "600" });
  return {
    orchestrator,
    service: new ContainerService({ config, orchestrator, metrics: createMetrics(orchestrator) }),
  };
}

describe("ContainerService", () => {
  it("places a container on the Hub's first placement when the request names none", async () => {
    const { orchestrator, service } = serviceOn(["ec2", "fargate"]);
    const info = await service.create({}, { wait: true, log: quiet });
    expect(info.placement).toBe("ec2");
    expect(orchestrator.specs[0]).toMatchObject({ placement: "ec2", cpu: 0.25, memoryMiB: 512 });
    const spec = orchestrator.specs[0]!;
    expect(spec.expiresAt.getTime() - spec.createdAt.getTime()).toBe(600_000);
  });

  it("refuses a placement the Hub does not serve before asking the orchestrator, naming what it serves", async () => {
    const { orchestrator, service } = serviceOn(["ec2"]);
    const failure = service.create({ placement: "fargate" }, { wait: true, log: quiet });
    await expect(failure).rejects.toBeInstanceOf(HubError);
    await expect(failure).rejects.toThrow('placement must be one of ec2 on this Hub (got "fargate")');
    expect(orchestrator.specs).toHaveLength(0);
  });
});
