/**
 * How the Hub hands out and serves students' port URLs, as the stacks configure it (hub-app's
 * HUB_PUBLIC_URL, HUB_PREVIEW_DOMAIN and HUB_PROXY_*; docs/hub-environment.md, "Port URLs").
 */

/** Dialing a sandbox in the same VPC takes milliseconds; past this the browser gets "nothing is listening". */
export const PROXY_CONNECT_TIMEOUT_MS = 5_000;
/** An app that has not begun its answer in a minute is stuck; a started answer (a stream, a WebSocket) is never cut. */
export const PROXY_RESPONSE_TIMEOUT_MS = 60_000;
/** A browser opens six connections per host (HTTP/1.1), several tabs and a dev server's WebSocket fit. */
export const PROXY_MAX_CONNECTIONS_PER_CONTAINER = 64;

export interface PortUrlSettings {
  /** The Hub's public origin (`https://hub.example.com`); unset: the origin each mint request came to. */
  readonly publicUrl?: string;
  /** Host-based URLs `<id>-<port>.<domain>`; unset: path-based under the public origin. */
  readonly previewDomain?: string;
  /** Idle timeout of the load balancer in front of the Hub: the proxy must answer before it cuts the request. */
  readonly loadBalancerIdleSeconds: number;
}

export function portUrlEnvironment(settings: PortUrlSettings): Record<string, string> {
  if (PROXY_RESPONSE_TIMEOUT_MS >= settings.loadBalancerIdleSeconds * 1000) {
    throw new Error(
      `the load balancer's idle timeout (${settings.loadBalancerIdleSeconds} s) must outlast the proxy's response timeout (${PROXY_RESPONSE_TIMEOUT_MS / 1000} s), or a slow app's 504 never reaches the browser`,
    );
  }
  return {
    ...(settings.publicUrl === undefined ? {} : { HUB_PUBLIC_URL: settings.publicUrl }),
    ...(settings.previewDomain === undefined ? {} : { HUB_PREVIEW_DOMAIN: settings.previewDomain }),
    HUB_PROXY_CONNECT_TIMEOUT_MS: String(PROXY_CONNECT_TIMEOUT_MS),
    HUB_PROXY_RESPONSE_TIMEOUT_MS: String(PROXY_RESPONSE_TIMEOUT_MS),
    HUB_PROXY_MAX_CONNECTIONS_PER_CONTAINER: String(PROXY_MAX_CONNECTIONS_PER_CONTAINER),
  };
}

/** The Hub's URL: its own name when it has one, else the load balancer's. */
export function hubUrlFor(scheme: "http" | "https", loadBalancerName: string, hostname?: string): string {
  return `${scheme}://${hostname ?? loadBalancerName}`;
}
