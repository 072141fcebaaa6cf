import { createHash, timingSafeEqual } from "node:crypto";
import { HubError } from "./errors.js";

// The auth scheme is case-insensitive (RFC 9110, section 11.1); one or more spaces separate it from the token.
const BEARER = /^Bearer +(\S.*)$/i;

/**
 * A check of `Authorization: Bearer <token>` that takes the same time whatever the guess:
 * both sides are hashed to equal lengths before the constant-time comparison.
 */
export function bearerTokenChecker(token: string): (authorization: string | undefined) => void {
  const expected = digest(token);
  return (authorization) => {
    const presented = authorization === undefined ? undefined : BEARER.exec(authorization)?.[1];
    if (presented === undefined)
      throw new HubError("unauthorized", "missing bearer token: send Authorization: Bearer <token>");
    if (!timingSafeEqual(digest(presented), expected))
      throw new HubError("unauthorized", "invalid bearer token");
  };
}

function digest(value: string): Buffer {
  return createHash("sha256").update(value).digest();
}
