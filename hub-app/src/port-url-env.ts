import { z } from "zod";

// This file is imported by config.ts, which the CommonJS infrastructure tests import: no `import.meta`.

// RFC 1035 labels (letters, digits, inner hyphens, at most 63), at least two of them.
const DOMAIN = /^(?=.{1,200}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)+$/;

/** HUB_PUBLIC_URL: the Hub's public origin (scheme, host, optional port), as browsers reach it; becomes its origin form. */
export function publicUrlEnv() {
  return z
    .string()
    .optional()
    .transform((raw, ctx) => {
      if (raw === undefined || raw.trim() === "") return undefined;
      const url = URL.canParse(raw) ? new URL(raw) : undefined;
      const plain =
        url !== undefined &&
        (url.protocol === "http:" || url.protocol === "https:") &&
        url.pathname === "/" &&
        url.search === "" &&
        url.hash === "" &&
        url.username === "";
      if (plain) return url.origin;
      ctx.issues.push({
        code: "custom",
        input: raw,
        message: `HUB_PUBLIC_URL must be an http(s) origin such as https://hub.example.com, with no path or query (got "${raw}")`,
      });
      return z.NEVER;
    });
}

/** HUB_PREVIEW_DOMAIN: the parent of the host-based URLs (`<id>-<port>.<domain>`); a wildcard DNS record and certificate must cover it. */
export function previewDomainEnv() {
  return z
    .string()
    .optional()
    .transform((raw, ctx) => {
      if (raw === undefined || raw.trim() === "") return undefined;
      const domain = raw.trim().toLowerCase().replace(/\.$/, "");
      // localhost: browsers and curl resolve every *.localhost name to loopback (RFC 6761 6.3), for host-based URLs on one machine.
      if (domain === "localhost" || DOMAIN.test(domain)) return domain;
      ctx.issues.push({
        code: "custom",
        input: raw,
        message: `HUB_PREVIEW_DOMAIN must be a DNS name such as sandboxes.example.com, without scheme, port or wildcard (got "${raw}")`,
      });
      return z.NEVER;
    });
}
