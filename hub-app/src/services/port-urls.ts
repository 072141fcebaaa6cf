import { HubError } from "../errors.js";
import type { ContainerService } from "./containers.js";
import { portUrl, type PortUrlShape } from "./port-addresses.js";
import { signPortCredential } from "./port-credential.js";

export interface MintedPortUrl {
  readonly url: string;
  /** ISO 8601, whole seconds: when the URL stops working (never after the container's own expiry). */
  readonly expiresAt: string;
}

/** Hands out port URLs: the course front end asks, the student opens the link in any browser. */
export class PortUrlService {
  constructor(
    private readonly containers: ContainerService,
    private readonly key: Buffer,
    private readonly shape: PortUrlShape,
  ) {}

  /** A URL for a declared port of a live container; `requestOrigin` stands in for HUB_PUBLIC_URL when unset. */
  async mint(
    id: string,
    port: number,
    ttlSeconds: number | undefined,
    requestOrigin: string,
  ): Promise<MintedPortUrl> {
    const container = await this.containers.get(id);
    if (!container.ports.includes(port)) {
      const declared = container.ports.length === 0 ? "none" : container.ports.join(", ");
      throw new HubError(
        "invalid_request",
        `port ${port} is not declared by ${id} (declared ports: ${declared}); declare ports in "ports" when creating the container`,
      );
    }
    if (container.status === "failed" || container.status === "terminating") {
      throw new HubError("conflict", `container ${id} is ${container.status}`);
    }
    const nowSeconds = Math.floor(Date.now() / 1000);
    const containerEnd = Math.floor(Date.parse(container.expiresAt) / 1000);
    if (containerEnd <= nowSeconds) throw new HubError("not_found", `no container ${id} (it has expired)`);
    const expiresAt =
      ttlSeconds === undefined ? containerEnd : Math.min(containerEnd, nowSeconds + ttlSeconds);
    const credential = signPortCredential(this.key, { id, port, expiresAt });
    return {
      url: portUrl(this.shape, requestOrigin, { id, port }, credential),
      expiresAt: new Date(expiresAt * 1000).toISOString(),
    };
  }
}
