/**
 * Fargate accepts only certain CPU/memory pairs. This table is the AWS docs' "Task CPU and
 * memory" table for Linux tasks (Amazon ECS Developer Guide, "Amazon ECS task definition
 * parameters for Fargate"): CPU in units of 1/1024 vCPU, memory in MiB.
 */
const FARGATE_SIZES: readonly { readonly cpu: number; readonly memory: readonly number[] }[] = [
  { cpu: 256, memory: [512, 1024, 2048] },
  { cpu: 512, memory: steps(1024, 4096, 1024) },
  { cpu: 1024, memory: steps(2048, 8192, 1024) },
  { cpu: 2048, memory: steps(4096, 16384, 1024) },
  { cpu: 4096, memory: steps(8192, 30720, 1024) },
  { cpu: 8192, memory: steps(16384, 61440, 4096) },
  { cpu: 16384, memory: steps(32768, 122880, 8192) },
];

export const VCPU_UNITS = 1024;

export interface FargateTaskSize {
  /** CPU units as the task definition takes them (a string, e.g. "256"). */
  readonly cpu: string;
  /** Memory in MiB as the task definition takes it (a string, e.g. "512"). */
  readonly memory: string;
}

/**
 * The smallest valid Fargate task size holding at least `cpuUnits` and `memoryMiB`:
 * a sandbox of 0.1 vCPU / 128 MiB becomes 256 / 512, the smallest Fargate task.
 */
export function fargateTaskSize(cpuUnits: number, memoryMiB: number): FargateTaskSize {
  if (!(cpuUnits > 0) || !(memoryMiB > 0)) {
    throw new Error(`Fargate task size needs positive CPU units and memory, got ${cpuUnits} / ${memoryMiB}`);
  }
  for (const size of FARGATE_SIZES) {
    const memory = size.memory.find((m) => m >= memoryMiB);
    if (size.cpu >= cpuUnits && memory !== undefined) {
      return { cpu: String(size.cpu), memory: String(memory) };
    }
  }
  throw new Error(
    `no Fargate task size holds ${cpuUnits} CPU units and ${memoryMiB} MiB; ` +
      `the largest is 16384 CPU units with 122880 MiB`,
  );
}

/** Converts vCPUs (0.1, 2) to CPU units, rounding up so a task never gets less than asked. */
export function vcpuToUnits(vcpu: number): number {
  return Math.ceil(vcpu * VCPU_UNITS);
}

function steps(from: number, to: number, step: number): number[] {
  const values: number[] = [];
  for (let value = from; value <= to; value += step) values.push(value);
  return values;
}

/** What every Fargate task definition here shares: awsvpc networking, a valid size, x86_64 Linux. */
export function fargateTaskBasics(size: FargateTaskSize) {
  return {
    networkMode: "awsvpc",
    requiresCompatibilities: ["FARGATE"],
    cpu: size.cpu,
    memory: size.memory,
    runtimePlatform: { operatingSystemFamily: "LINUX", cpuArchitecture: "X86_64" },
  };
}
