import { describe, expect, it } from "vitest";
import { fargateTaskSize, vcpuToUnits } from "../../components/ecs/fargate-size";

describe("fargateTaskSize", () => {
  it("turns the default sandbox (0.1 vCPU, 128 MiB) into the smallest Fargate task", () => {
    expect(fargateTaskSize(vcpuToUnits(0.1), 128)).toEqual({ cpu: "256", memory: "512" });
  });

  it("keeps sizes that are already valid", () => {
    expect(fargateTaskSize(512, 1024)).toEqual({ cpu: "512", memory: "1024" });
    expect(fargateTaskSize(4096, 30720)).toEqual({ cpu: "4096", memory: "30720" });
  });

  it("skips 1536 MiB, which 0.25 vCPU does not offer", () => {
    expect(fargateTaskSize(256, 1500)).toEqual({ cpu: "256", memory: "2048" });
  });

  it("moves to more CPU when the memory does not fit the smaller size", () => {
    expect(fargateTaskSize(256, 3000)).toEqual({ cpu: "512", memory: "3072" });
    expect(fargateTaskSize(vcpuToUnits(4), 8192)).toEqual({ cpu: "4096", memory: "8192" });
  });

  it("rounds memory up to the size's step", () => {
    expect(fargateTaskSize(1024, 2100)).toEqual({ cpu: "1024", memory: "3072" });
    expect(fargateTaskSize(8192, 20000)).toEqual({ cpu: "8192", memory: "20480" });
  });

  it("raises memory to the CPU's minimum", () => {
    expect(fargateTaskSize(1024, 512)).toEqual({ cpu: "1024", memory: "2048" });
  });

  it("names the request and the largest size when nothing fits", () => {
    expect(() => fargateTaskSize(32768, 1024)).toThrow(/32768 CPU units .* largest is 16384/);
    expect(() => fargateTaskSize(0, 512)).toThrow(/positive/);
  });
});

describe("vcpuToUnits", () => {
  it("never rounds down", () => {
    expect(vcpuToUnits(0.1)).toBe(103);
    expect(vcpuToUnits(2)).toBe(2048);
  });
});
