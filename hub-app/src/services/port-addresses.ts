/**
 * The two shapes of a port URL and how an incoming request maps back to a container's port.
 *
 * Host-based (HUB_PREVIEW_DOMAIN set): `<scheme>://<id>-<port>.<domain>/…`, the form Codespaces and
 * Gitpod use: the app sees its own paths unchanged and each app is an origin of its own.
 * Path-based (no domain): `<hub>/preview/<id>-<port>/…`; the prefix is stripped before the app
 * sees the request and passed in X-Forwarded-Prefix.
 */

/** The query parameter of a freshly minted URL; after the first visit a cookie of the same name carries it. */
export const CREDENTIAL_NAME = "hub_port_token";
export const PATH_PREFIX = "/preview";

const LABEL = /^(cnt-[a-z0-9]{5,12})-(\d{1,5})$/;

export interface PortUrlShape {
  /** Lowercase DNS name; absent means path-based URLs under `publicOrigin`. */
  readonly previewDomain?: string;
  /** The Hub's public origin (`https://hub.example.com`); absent means the origin each mint request came to. */
  readonly publicOrigin?: string;
}

/** The shape the configuration asks for. */
export function portUrlShape(config: {
  readonly previewDomain?: string;
  readonly publicUrl?: string;
}): PortUrlShape {
  return {
    ...(config.previewDomain === undefined ? {} : { previewDomain: config.previewDomain }),
    ...(config.publicUrl === undefined ? {} : { publicOrigin: config.publicUrl }),
  };
}

/** A request bound for a container's port, as the app must see it. */
export interface PortAddress {
  readonly id: string;
  readonly port: number;
  /** Path and query the app receives. */
  readonly path: string;
  /** Path-based only: what was stripped (`/preview/<id>-<port>`), also the credential cookie's Path. */
  readonly prefix?: string;
  /** Path-based only: the bare prefix was asked for; the browser is sent to `<prefix>/` so relative links resolve. */
  readonly needsSlash?: boolean;
}

/**
 * Where a request is headed: a port address, or undefined for the Hub's own API. Only the Host
 * header and the path decide, and only a container id and a port number come out of them: the
 * destination itself is never read from the request.
 */
export function portAddressOf(
  shape: PortUrlShape,
  host: string | undefined,
  url: string,
): PortAddress | undefined {
  return shape.previewDomain === undefined ? pathAddress(url) : hostAddress(shape.previewDomain, host, url);
}

function hostAddress(domain: string, host: string | undefined, url: string): PortAddress | undefined {
  const name = hostName(host ?? "");
  if (!name.endsWith(`.${domain}`)) return undefined;
  const label = LABEL.exec(name.slice(0, -domain.length - 1));
  if (label === null) return undefined;
  return { id: label[1]!, port: Number(label[2]), path: url.startsWith("/") ? url : `/${url}` };
}

function pathAddress(url: string): PortAddress | undefined {
  if (!url.startsWith(`${PATH_PREFIX}/`)) return undefined;
  const rest = url.slice(PATH_PREFIX.length + 1);
  const end = rest.search(/[/?#]/);
  const segment = end === -1 ? rest : rest.slice(0, end);
  const label = LABEL.exec(segment);
  if (label === null) return undefined;
  const prefix = `${PATH_PREFIX}/${segment}`;
  const tail = end === -1 ? "" : rest.slice(end);
  const needsSlash = !tail.startsWith("/");
  return {
    id: label[1]!,
    port: Number(label[2]),
    path: needsSlash ? `/${tail}` : tail,
    prefix,
    ...(needsSlash ? { needsSlash } : {}),
  };
}

/** The URL handed to the student: its first visit carries the credential in the query. */
export function portUrl(
  shape: PortUrlShape,
  requestOrigin: string,
  target: { readonly id: string; readonly port: number },
  credential: string,
): string {
  const origin = new URL(shape.publicOrigin ?? requestOrigin);
  const query = `?${CREDENTIAL_NAME}=${encodeURIComponent(credential)}`;
  if (shape.previewDomain === undefined) {
    return `${origin.origin}${PATH_PREFIX}/${target.id}-${target.port}/${query}`;
  }
  const port = origin.port === "" ? "" : `:${origin.port}`;
  return `${origin.protocol}//${target.id}-${target.port}.${shape.previewDomain}${port}/${query}`;
}

/** The Host header's name part, lowercase, without a port (IPv6 literals keep their brackets). */
function hostName(host: string): string {
  const lower = host.toLowerCase();
  if (lower.startsWith("[")) return lower.slice(0, lower.indexOf("]") + 1);
  const colon = lower.lastIndexOf(":");
  return colon === -1 ? lower : lower.slice(0, colon);
}
