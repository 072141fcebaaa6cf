import type { IncomingMessage } from "node:http";
import { checkPortCredential, type CredentialCheck } from "./port-credential.js";
import { CREDENTIAL_NAME, type PortAddress } from "./port-addresses.js";
import { credentialCookies, credentialInQuery } from "./forwarded-request.js";
import type { ProxyRefusal } from "./proxy-pages.js";

/**
 * Who may pass a port URL: whoever presents a credential minted for exactly this container and
 * port, still unexpired, in the query (the link's first visit) or in the cookie the Hub set then.
 */
export type AccessDecision =
  | {
      readonly allowed: true;
      /** A Set-Cookie for a credential that came in the query: later requests (the app's links) carry it. */
      readonly setCookie?: string;
    }
  | { readonly allowed: false; readonly refusal: ProxyRefusal };

export function decideAccess(
  key: Buffer,
  req: IncomingMessage,
  address: PortAddress,
  options: { readonly secure: boolean; readonly nowSeconds: number },
): AccessDecision {
  const target = { id: address.id, port: address.port };
  const fromQuery = credentialInQuery(address);
  const candidates = [
    ...(fromQuery === undefined ? [] : [{ value: fromQuery, inQuery: true }]),
    ...credentialCookies(req.headers.cookie).map((value) => ({ value, inQuery: false })),
  ];
  let firstFailure: CredentialCheck | undefined;
  for (const candidate of candidates) {
    const check = checkPortCredential(key, candidate.value, target, options.nowSeconds);
    if (check.ok) {
      if (!candidate.inQuery) return { allowed: true };
      const maxAge = check.expiresAt - options.nowSeconds;
      return { allowed: true, setCookie: credentialCookie(candidate.value, maxAge, address, options.secure) };
    }
    firstFailure ??= check;
  }
  if (firstFailure === undefined || firstFailure.ok) {
    return {
      allowed: false,
      refusal: {
        code: "unauthorized",
        message: `this address needs the link the Hub gave out for ${address.id} port ${address.port} (with its token); ask for a new link`,
      },
    };
  }
  return {
    allowed: false,
    refusal: {
      code: "forbidden",
      message:
        firstFailure.reason === "expired"
          ? `this link to ${address.id} port ${address.port} has expired; ask for a new link`
          : `this link's token is not valid for ${address.id} port ${address.port}; ask for a new link`,
    },
  };
}

/** HttpOnly (the app's scripts never read it), host-only or limited to the path prefix, Lax (sent on top-level navigation to the link). */
function credentialCookie(
  value: string,
  maxAgeSeconds: number,
  address: PortAddress,
  secure: boolean,
): string {
  const path = address.prefix === undefined ? "/" : `${address.prefix}/`;
  return [
    `${CREDENTIAL_NAME}=${value}`,
    `Max-Age=${maxAgeSeconds}`,
    `Path=${path}`,
    "HttpOnly",
    "SameSite=Lax",
    ...(secure ? ["Secure"] : []),
  ].join("; ");
}
