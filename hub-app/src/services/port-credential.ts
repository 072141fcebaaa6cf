import { createHmac, hkdfSync, timingSafeEqual } from "node:crypto";

/**
 * The credential of a port URL: `<expiry, unix seconds>.<HMAC-SHA256 over id, port and expiry>`,
 * base64url. Stateless: any replica holding the same API token verifies it, a restarted Hub too,
 * and nothing has to be stored or cleaned up. Rotating the API token ends every URL.
 */
export interface PortCredentialClaims {
  readonly id: string;
  readonly port: number;
  /** Unix seconds. */
  readonly expiresAt: number;
}

export type CredentialCheck =
  | { readonly ok: true; readonly expiresAt: number }
  | { readonly ok: false; readonly reason: "malformed" | "forged" | "expired" };

const CREDENTIAL = /^(\d{1,12})\.([A-Za-z0-9_-]{43})$/;

/**
 * The signing key, derived from the API token with HKDF (RFC 5869) under a label of its own, so a
 * URL never carries anything that opens the API and the key is the same on every replica.
 */
export function portUrlKey(apiToken: string): Buffer {
  return Buffer.from(hkdfSync("sha256", apiToken, "sandbox-hub", "port-url credential v1", 32));
}

export function signPortCredential(key: Buffer, claims: PortCredentialClaims): string {
  return `${claims.expiresAt}.${mac(key, claims.id, claims.port, claims.expiresAt)}`;
}

/** Whether `credential` was minted by this key for exactly this container and port, and is still valid at `nowSeconds`. */
export function checkPortCredential(
  key: Buffer,
  credential: string,
  target: { readonly id: string; readonly port: number },
  nowSeconds: number,
): CredentialCheck {
  const match = CREDENTIAL.exec(credential);
  if (match === null) return { ok: false, reason: "malformed" };
  const expiresAt = Number(match[1]);
  const expected = Buffer.from(mac(key, target.id, target.port, expiresAt));
  const presented = Buffer.from(match[2]!);
  if (!timingSafeEqual(expected, presented)) return { ok: false, reason: "forged" };
  if (expiresAt <= nowSeconds) return { ok: false, reason: "expired" };
  return { ok: true, expiresAt };
}

function mac(key: Buffer, id: string, port: number, expiresAt: number): string {
  // Newline-separated: no field can contain one (ids are [a-z0-9-], the others digits), so no two claims sign alike.
  return createHmac("sha256", key).update(`${id}\n${port}\n${expiresAt}`).digest("base64url");
}
