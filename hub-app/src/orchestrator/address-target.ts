import { HubError } from "../errors.js";
import type { ContainerInfo, PortTarget } from "./types.js";

/**
 * The container's own private address (pod IP, task ENI, or loopback for a local sandbox on the
 * host's network) and the port: the only TCP destination the Hub's proxy ever dials.
 */
export function addressTarget(container: ContainerInfo, port: number): PortTarget {
  if (container.ip === undefined) {
    throw new HubError(
      "conflict",
      `container ${container.id} has no network address yet (status ${container.status})`,
    );
  }
  return { kind: "tcp", host: container.ip, port };
}
