import type { Server } from "node:http";
import { isIPv4, isIPv6, type Socket } from "node:net";
import { HubError } from "./errors.js";
import { answerOnSocketAndClose } from "./routes/client-error.js";

/**
 * The client a connection counts against: its IPv4 address, or the /64 of an IPv6 one, the block a
 * single subscriber is given (RFC 6177), so that one client cannot take a fresh address per connection.
 */
export function clientKey(address: string | undefined): string {
  if (address === undefined) return "unknown";
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address)?.[1];
  if (mapped !== undefined && isIPv4(mapped)) return mapped;
  if (!isIPv6(address)) return address;
  return `${expandIPv6(address).slice(0, 4).join(":")}::/64`;
}

/** The eight 16-bit groups of an IPv6 address, `::` expanded (RFC 4291 section 2.2); a zone id is dropped. */
function expandIPv6(address: string): string[] {
  const [head = "", tail] = address.split("%")[0]!.split("::");
  const groups = (part: string): string[] => (part === "" ? [] : part.split(":"));
  const [left, right] = [groups(head), tail === undefined ? [] : groups(tail)];
  const zeros = Array.from({ length: 8 - left.length - right.length }, () => "0");
  return [...left, ...zeros, ...right].map((group) => group.toLowerCase().replace(/^0+(?=.)/, ""));
}

/**
 * Closes, with a 429 in the API's error shape, each connection past `max` held at once by one client
 * (clientKey): the server-wide cap (HUB_MAX_CONNECTIONS) alone let one anonymous client take every
 * connection and shut everyone else out. 0 turns it off, for a Hub behind a load balancer whose few
 * addresses every client arrives from.
 */
export function capConnectionsPerClient(
  server: Server,
  max: number,
  onRefused: (error: HubError) => void,
): void {
  if (max === 0) return;
  const held = new Map<string, number>();
  // Before the HTTP server's own listener: a refused connection is gone before any request on it is read.
  server.prependListener("connection", (socket: Socket) => {
    const key = clientKey(socket.remoteAddress);
    const count = held.get(key) ?? 0;
    if (count >= max) {
      const error = new HubError(
        "throttled",
        `this client holds ${count} connections to the Hub, the most HUB_MAX_CONNECTIONS_PER_CLIENT allows: reuse them (keep-alive) or close some`,
        1,
      );
      onRefused(error);
      // The answer goes to the kernel at once (a small write on an idle socket); destroyed, not ended,
      // so that no request that arrives meanwhile is run.
      answerOnSocketAndClose(socket, error);
      socket.destroy();
      return;
    }
    held.set(key, count + 1);
    socket.once("close", () => {
      const left = (held.get(key) ?? 1) - 1;
      if (left === 0) held.delete(key);
      else held.set(key, left);
    });
  });
}
