/**
 * The files that give one sandbox's cgroup its limits, for each cgroup version. Pure, so the
 * values are tested without a kernel. Sources: the kernel's Documentation/admin-guide/cgroup-v2.rst
 * ("memory.max", "memory.swap.max", "pids.max", "cpu.max"), cgroup-v1/memory.rst (memory.txt in
 * older trees), cgroup-v1/pids.rst and scheduler/sched-bwc.rst (CFS bandwidth control).
 */

/** The CFS period the kernel itself defaults to, 100 ms (sched-bwc.rst; cgroup-v2.rst "cpu.max"). */
export const CPU_PERIOD_US = 100_000;
/** sched-bwc.rst: "The minimum quota allowed for the quota or period is 1ms". */
const MIN_QUOTA_US = 1000;

export interface CgroupLimits {
  /** The container's memory, tmpfs pages included: both versions charge shmem to the cgroup. */
  readonly memoryMiB: number;
  /** The container's cpu, in CPUs (0.5 = half of one CPU's time in every period). */
  readonly cpu: number;
  /** Tasks (processes and threads) at once: pids.max counts both. */
  readonly maxProcesses: number;
}

export interface LimitFile {
  /** The controller the file belongs to: with cgroup v1 it names the hierarchy to write in. */
  readonly controller: "memory" | "pids" | "cpu";
  readonly file: string;
  readonly value: string;
  /** Absent on some kernels (no swap accounting): then not written. */
  readonly optional?: boolean;
}

export function cpuQuotaUs(cpu: number): number {
  return Math.max(MIN_QUOTA_US, Math.round(cpu * CPU_PERIOD_US));
}

function memoryBytes(limits: CgroupLimits): string {
  return String(limits.memoryMiB * 1024 * 1024);
}

/** cgroup v2: memory.max (the OOM killer acts past it), no swap, pids.max, cpu.max "$MAX $PERIOD". */
export function v2LimitFiles(limits: CgroupLimits): LimitFile[] {
  return [
    { controller: "memory", file: "memory.max", value: memoryBytes(limits) },
    // Without this a sandbox at memory.max swaps instead of being held to its memory (cgroup-v2.rst).
    { controller: "memory", file: "memory.swap.max", value: "0", optional: true },
    { controller: "pids", file: "pids.max", value: String(limits.maxProcesses) },
    { controller: "cpu", file: "cpu.max", value: `${cpuQuotaUs(limits.cpu)} ${CPU_PERIOD_US}` },
  ];
}

/**
 * cgroup v1: memory.limit_in_bytes, then memory.memsw.limit_in_bytes (memory plus swap, present
 * with swap accounting; memory.rst: it must be set after, and not below, limit_in_bytes), pids.max,
 * and the CFS period before the quota.
 */
export function v1LimitFiles(limits: CgroupLimits): LimitFile[] {
  return [
    { controller: "memory", file: "memory.limit_in_bytes", value: memoryBytes(limits) },
    { controller: "memory", file: "memory.memsw.limit_in_bytes", value: memoryBytes(limits), optional: true },
    { controller: "pids", file: "pids.max", value: String(limits.maxProcesses) },
    { controller: "cpu", file: "cpu.cfs_period_us", value: String(CPU_PERIOD_US) },
    { controller: "cpu", file: "cpu.cfs_quota_us", value: String(cpuQuotaUs(limits.cpu)) },
  ];
}
