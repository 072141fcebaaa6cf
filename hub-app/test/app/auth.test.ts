import { describe, expect, it } from "vitest";
import { bearerTokenChecker } from "../../src/auth.js";
import { parseHubEnv } from "../../src/config.js";

const TOKEN = "a-token-of-sixteen-chars";

describe("bearerTokenChecker", () => {
  const check = bearerTokenChecker(TOKEN);

  it("takes the scheme in any case, as HTTP auth schemes are case-insensitive", () => {
    for (const scheme of ["Bearer", "bearer", "BEARER", "bEaReR"])
      expect(() => check(`${scheme} ${TOKEN}`)).not.toThrow();
  });

  it("refuses another scheme, a missing token and a wrong one", () => {
    expect(() => check(`Basic ${TOKEN}`)).toThrow(/missing bearer token/);
    expect(() => check("Bearer ")).toThrow(/missing bearer token/);
    expect(() => check(undefined)).toThrow(/missing bearer token/);
    expect(() => check(`Bearer ${TOKEN}x`)).toThrow(/invalid bearer token/);
  });
});

describe("token variables", () => {
  it.each(["HUB_API_TOKEN", "HUB_METRICS_TOKEN"])(
    "refuses a %s of only whitespace rather than falling back to another token",
    (name) => {
      expect(() => parseHubEnv({ [name]: "   \t " })).toThrow(new RegExp(`${name} is only whitespace`));
    },
  );

  it.each(["HUB_API_TOKEN", "HUB_METRICS_TOKEN"])(
    "refuses a %s with whitespace around it, which no Authorization header can carry",
    (name) => {
      expect(() => parseHubEnv({ [name]: ` ${TOKEN}\n` })).toThrow(
        new RegExp(`${name} must not begin or end with whitespace`),
      );
    },
  );

  it("still treats an empty variable as unset", () => {
    expect(parseHubEnv({ HUB_API_TOKEN: "" }).apiToken).toBeUndefined();
  });
});
