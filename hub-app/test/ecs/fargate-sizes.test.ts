import { describe, expect, it } from "vitest";
import { fargateSizeFor } from "../../src/orchestrator/ecs/fargate-sizes.js";

// The one table of Fargate sizes: the Hub registers task definitions with it, and so does the Pulumi
// program (components/ecs/fargate-task.ts), for the sandbox template and the Hub's own service.

describe("fargateSizeFor rounds a request up to the smallest valid Fargate size", () => {
  it.each([
    // [vCPU, MiB] -> [CPU units, MiB]
    [0.1, 128, 256, 512],
    [0.25, 512, 256, 512],
    [0.25, 513, 256, 1024],
    [0.25, 1536, 256, 2048], // 0.25 vCPU has no 1536 MiB size
    [0.25, 2048, 256, 2048],
    [0.25, 2049, 512, 3072], // too much memory for 0.25 vCPU: next CPU size
    [0.26, 128, 512, 1024], // a hair over 256 units
    [0.3, 512, 512, 1024], // 307.2 units round up to 308, above the 256 size
    [0.5, 4096, 512, 4096],
    [0.5, 4097, 1024, 5120],
    [1, 512, 1024, 2048], // raised to the CPU size's minimum memory
    [1, 1024, 1024, 2048],
    [1, 2100, 1024, 3072], // memory rounded up to the size's 1024 MiB step
    [1, 8192, 1024, 8192],
    [1.5, 2048, 2048, 4096],
    [2, 16384, 2048, 16384],
    [2, 16385, 4096, 17408],
    [4, 8192, 4096, 8192],
    [4, 30720, 4096, 30720],
    [4, 30721, 8192, 32768],
    [8, 20000, 8192, 20480], // 8 vCPU steps memory by 4096 MiB
    [16, 122880, 16384, 122880],
  ])("%s vCPU / %s MiB -> %s / %s", (vcpu, memory, cpuUnits, memoryMiB) => {
    expect(fargateSizeFor(vcpu, memory)).toEqual({ cpuUnits, memoryMiB });
  });

  it("names the request when nothing is big enough", () => {
    expect(() => fargateSizeFor(17, 1024)).toThrow(/no Fargate size holds 17 vCPU and 1024 MiB/);
    expect(() => fargateSizeFor(1, 122881)).toThrow(/largest is 16 vCPU with 122880 MiB/);
  });

  it.each([
    [0, 512],
    [-1, 512],
    [1, 0],
    [Number.NaN, 512],
  ])("refuses %s vCPU / %s MiB", (vcpu, memory) => {
    expect(() => fargateSizeFor(vcpu, memory)).toThrow(/positive vCPU and memory/);
  });
});
