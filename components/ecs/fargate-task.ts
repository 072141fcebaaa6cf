/**
 * Sizes of the task definitions the stacks register. The table of valid Fargate CPU/memory pairs is
 * the Hub's own (hub-app/src/orchestrator/ecs/fargate-sizes.ts): the sizes Pulumi registers and the
 * sizes the Hub registers at run time come from one table. That file imports nothing, so the Pulumi
 * program loads it as CommonJS and the Hub's image compiles it as ESM (test/pulumi-loader.test.ts).
 */
import {
  CPU_UNITS_PER_VCPU,
  fargateSizeFor,
  type FargateSize,
} from "../../hub-app/src/orchestrator/ecs/fargate-sizes";

export { CPU_UNITS_PER_VCPU, fargateSizeFor, type FargateSize };

/** What every Fargate task definition here shares: awsvpc networking, a valid size, x86_64 Linux. */
export function fargateTaskBasics(size: FargateSize) {
  return {
    networkMode: "awsvpc",
    requiresCompatibilities: ["FARGATE"],
    // The task definition takes both as strings (ECS API, RegisterTaskDefinition).
    cpu: String(size.cpuUnits),
    memory: String(size.memoryMiB),
    runtimePlatform: { operatingSystemFamily: "LINUX", cpuArchitecture: "X86_64" },
  };
}
