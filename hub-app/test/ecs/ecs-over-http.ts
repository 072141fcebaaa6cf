/**
 * An ECS client whose HTTP requests are answered here, so the whole SDK pipeline runs: signing,
 * the JSON protocol's deserializer, and the client's retry strategy with its rate limiter.
 * (aws-sdk-client-mock replaces `send` and skips all of that.) Answers follow the awsJson1_1
 * protocol: errors are a 4xx with `__type` naming the exception.
 */
import { Readable } from "node:stream";
import type { ECSClient } from "@aws-sdk/client-ecs";
import { createEcsClient } from "../../src/orchestrator/ecs/ecs-client.js";

export interface EcsRequest {
  /** The operation from X-Amz-Target, e.g. "RunTask". */
  readonly operation: string;
  readonly body: Record<string, unknown>;
  /** Date.now() when the request left the client (fake timers make this virtual time). */
  readonly at: number;
}

export interface EcsAnswer {
  readonly status: number;
  readonly body: unknown;
}

export type Responder = (request: EcsRequest) => EcsAnswer;

export const ok = (body: unknown): EcsAnswer => ({ status: 200, body });
export const awsError = (type: string, message: string, status = 400): EcsAnswer => ({
  status,
  body: { __type: type, message },
});

/** Dates as the JSON protocol sends them: epoch seconds. */
function toJson(body: unknown): string {
  return JSON.stringify(body, function (this: Record<string, unknown>, key, value: unknown) {
    const raw = this[key];
    return raw instanceof Date ? raw.getTime() / 1000 : value;
  });
}

export function ecsOverHttp(respond: Responder): { ecs: ECSClient; requests: EcsRequest[] } {
  const requests: EcsRequest[] = [];
  const ecs = createEcsClient("eu-west-1", {
    credentials: { accessKeyId: "AKIDTEST", secretAccessKey: "test-secret" },
    requestHandler: {
      handle: (request: { headers: Record<string, string>; body?: unknown }) => {
        const target = request.headers["x-amz-target"] ?? "";
        const text =
          typeof request.body === "string"
            ? request.body
            : Buffer.from(request.body as Uint8Array).toString();
        const body = JSON.parse(text) as Record<string, unknown>;
        const call = { operation: target.slice(target.indexOf(".") + 1), body, at: Date.now() };
        requests.push(call);
        const answer = respond(call);
        return Promise.resolve({
          response: {
            statusCode: answer.status,
            headers: { "content-type": "application/x-amz-json-1.1" },
            body: Readable.from([Buffer.from(toJson(answer.body))]),
          },
        });
      },
    },
  });
  return { ecs, requests };
}
