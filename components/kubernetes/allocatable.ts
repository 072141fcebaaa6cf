/** What the scheduler may place on one node (Kubernetes docs, "Reserve Compute Resources for System Daemons"). */
export interface Allocatable {
  /** Millicores. */
  readonly cpu: number;
  readonly memoryMiB: number;
  readonly pods: number;
}
