/**
 * Fargate accepts only certain task CPU/memory pairs: the "Task CPU and memory" table of the
 * Amazon ECS Developer Guide (Fargate task definition parameters, Linux). CPU in units of
 * 1/1024 vCPU, memory in MiB. The one copy: the Pulumi program (components/ecs/fargate-task.ts)
 * imports this file too, so it must import nothing (CommonJS there, ESM here).
 */
const FARGATE_SIZES: readonly { readonly cpuUnits: number; readonly memoryMiB: readonly number[] }[] = [
  { cpuUnits: 256, memoryMiB: [512, 1024, 2048] },
  { cpuUnits: 512, memoryMiB: steps(1024, 4096, 1024) },
  { cpuUnits: 1024, memoryMiB: steps(2048, 8192, 1024) },
  { cpuUnits: 2048, memoryMiB: steps(4096, 16384, 1024) },
  { cpuUnits: 4096, memoryMiB: steps(8192, 30720, 1024) },
  { cpuUnits: 8192, memoryMiB: steps(16384, 61440, 4096) },
  { cpuUnits: 16384, memoryMiB: steps(32768, 122880, 8192) },
];

/** One vCPU in ECS CPU units. */
export const CPU_UNITS_PER_VCPU = 1024;

export interface FargateSize {
  readonly cpuUnits: number;
  readonly memoryMiB: number;
}

/**
 * The smallest valid Fargate size with at least `vcpu` and `memoryMiB` (rounded UP, so a
 * sandbox never gets less than asked): 0.1 vCPU / 128 MiB becomes 256 / 512, and a memory
 * request too big for the CPU size moves to the next CPU size (0.25 vCPU / 3000 MiB -> 512 / 3072).
 */
export function fargateSizeFor(vcpu: number, memoryMiB: number): FargateSize {
  if (!(Number.isFinite(vcpu) && vcpu > 0) || !(Number.isFinite(memoryMiB) && memoryMiB > 0)) {
    throw new RangeError(
      `a Fargate size needs a positive vCPU and memory, got ${vcpu} vCPU / ${memoryMiB} MiB`,
    );
  }
  // Multiplying by 1024 (a power of two) is exact in binary floating point: no rounding error to guard.
  const cpuUnits = Math.ceil(vcpu * CPU_UNITS_PER_VCPU);
  for (const size of FARGATE_SIZES) {
    if (size.cpuUnits < cpuUnits) continue;
    const memory = size.memoryMiB.find((m) => m >= memoryMiB);
    if (memory !== undefined) return { cpuUnits: size.cpuUnits, memoryMiB: memory };
  }
  throw new RangeError(
    `no Fargate size holds ${vcpu} vCPU and ${memoryMiB} MiB; the largest is 16 vCPU with 122880 MiB`,
  );
}

function steps(from: number, to: number, step: number): number[] {
  const values: number[] = [];
  for (let value = from; value <= to; value += step) values.push(value);
  return values;
}
