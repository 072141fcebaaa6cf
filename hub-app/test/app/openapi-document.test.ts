/**
 * What the OpenAPI document promises matches what the Hub does: a 204 has no body, only this
 * Hub's placements are listed, the path rules are patterns that agree with the checks, and a
 * known path asked with another method is a 405 with Allow.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { FastifyInstance } from "fastify";
import {
  FILE_PATH_PATTERN,
  filePathProblem,
  RELATIVE_PATH_PATTERN,
  relativePathProblem,
} from "../../src/paths.js";
import { auth, fakeHub } from "./test-app.js";

let app: FastifyInstance;
beforeAll(async () => {
  ({ app } = await fakeHub());
});
afterAll(() => app.close());

type Document = { paths: Record<string, Record<string, any>> };

/** Every string of up to `length` characters over `alphabet`. */
function* stringsOver(alphabet: string[], length: number): Generator<string> {
  yield "";
  if (length === 0) return;
  for (const shorter of stringsOver(alphabet, length - 1))
    if (shorter.length === length - 1) for (const letter of alphabet) yield shorter + letter;
}

describe("the OpenAPI document", () => {
  it("documents no body for a 204 and only the placements this Hub serves", async () => {
    const document = (await app.inject({ method: "GET", url: "/docs" })).json<Document>();
    const deleted = document.paths["/v1/containers/{id}"]!.delete.responses["204"];
    expect(deleted).toEqual({ description: expect.any(String) });
    const body = document.paths["/v1/containers"]!.post.requestBody.content["application/json"].schema;
    expect(body.properties.placement.enum).toEqual(["local"]);
    const file =
      document.paths["/v1/containers/{id}/files"]!.put.requestBody.content["application/json"].schema;
    expect(file.properties.files.items.properties.path).toMatchObject({
      minLength: 1,
      maxLength: 1024,
      pattern: FILE_PATH_PATTERN,
    });
  });

  it.each([
    ["files", FILE_PATH_PATTERN, filePathProblem],
    ["relative", RELATIVE_PATH_PATTERN, relativePathProblem],
  ] as const)(
    "states the %s path rules as a pattern that agrees with the check on every short path",
    (_, pattern, problem) => {
      const regex = new RegExp(pattern);
      const disagreements = [...stringsOver(["a", ".", "/", "\0"], 6)].filter(
        (path) => regex.test(path) !== (problem(path) === undefined),
      );
      expect(disagreements).toEqual([]);
    },
  );
});

describe("a known path asked with another method", () => {
  it.each([
    ["TRACE", "/v1/containers", "GET, HEAD, POST"],
    ["PUT", "/v1/containers/cnt-abcde12345", "DELETE, GET, HEAD, PATCH"],
    ["GET", "/v1/containers/cnt-abcde12345/run", "POST"],
  ])("answers %s %s with 405 and Allow: %s", async (method, url, allow) => {
    const answer = await app.inject({ method: method as "GET", url, headers: auth });
    expect(answer.statusCode).toBe(405);
    expect(answer.headers.allow?.toString().split(", ").sort().join(", ")).toBe(allow);
    expect(answer.json()).toMatchObject({ error: { code: "method_not_allowed" } });
  });

  it("answers a body method with no route 405 even without a Content-Type", async () => {
    const answer = await app.inject({
      method: "QUERY" as "GET",
      url: "/v1/containers/cnt-abcde12345",
      headers: auth,
    });
    expect(answer.statusCode).toBe(405);
  });

  it("still answers an unknown path 404", async () => {
    const answer = await app.inject({ method: "GET", url: "/v1/nothing-here", headers: auth });
    expect(answer.statusCode).toBe(404);
    expect(answer.json()).toMatchObject({ error: { code: "not_found" } });
  });
});
