/**
 * The claim race every orchestrator must survive: several Hubs (each a whole app with its own
 * orchestrator client and pool loop) sharing one pool, hit with concurrent creates round after
 * round, more per round than the pool holds. Returns what the tests check: every id handed out
 * distinct, every sandbox accounted for (a container someone got, or a member), the pool refilled.
 */
import type { FastifyInstance } from "fastify";
import { expect } from "vitest";
import type { Orchestrator } from "../../src/orchestrator/types.js";
import { auth } from "../app/test-app.js";

export interface RaceHub {
  readonly app: FastifyInstance;
  readonly orchestrator: Orchestrator;
}

export interface Created {
  readonly id: string;
  readonly warm: boolean;
  /** What `echo "$ROUND $WHO"` must print in it. */
  readonly expectedEnv: string;
}

export interface RaceOutcome {
  readonly created: readonly Created[];
  readonly ids: readonly string[];
  readonly warm: number;
  readonly cold: number;
}

/** `rounds` rounds of `perHub` concurrent creates on every Hub at once, each with its own env. */
export async function claimRace(
  hubs: readonly RaceHub[],
  rounds: number,
  perHub: number,
): Promise<RaceOutcome> {
  const created: Created[] = [];
  for (let round = 0; round < rounds; round += 1) {
    const batch = hubs.flatMap(({ app }, hubIndex) =>
      Array.from({ length: perHub }, async (_, index) => {
        const response = await app.inject({
          method: "POST",
          url: "/v1/containers",
          headers: auth,
          payload: { env: { ROUND: String(round), WHO: `hub${hubIndex}-${index}` }, ttlSeconds: 600 },
        });
        expect(response.statusCode, response.body).toBe(201);
        const body = response.json<{ id: string; warm: boolean }>();
        return { id: body.id, warm: body.warm, expectedEnv: `${round} hub${hubIndex}-${index}\n` };
      }),
    );
    created.push(...(await Promise.all(batch)));
  }
  return {
    created,
    ids: created.map((item) => item.id),
    warm: created.filter((item) => item.warm).length,
    cold: created.filter((item) => !item.warm).length,
  };
}

/** Every container the race handed out is listed exactly once, by every Hub. */
export async function expectNoneLost(hubs: readonly RaceHub[], outcome: RaceOutcome): Promise<void> {
  expect(new Set(outcome.ids).size).toBe(outcome.ids.length);
  for (const { orchestrator } of hubs) {
    const listed = (await orchestrator.list()).map((info) => info.id).sort();
    expect(listed).toEqual([...outcome.ids].sort());
  }
}

/** Polls until `done` holds (the test's own timeout is the deadline). */
export async function eventually(done: () => Promise<boolean>, pauseMs = 20): Promise<void> {
  while (!(await done())) await new Promise((resolve) => setTimeout(resolve, pauseMs));
}

/** Resolves once exactly `size` members are running and none is starting or failed. */
export function poolBackToSize(orchestrator: Orchestrator, size: number): Promise<void> {
  return eventually(async () => {
    const members = await orchestrator.listPoolMembers();
    return members.length === size && members.every((member) => member.status === "running");
  });
}

/** A command's stdout in one of the race's containers: the env its create asked for must be there. */
export async function envSeenBy(app: FastifyInstance, id: string): Promise<string> {
  const response = await app.inject({
    method: "POST",
    url: `/v1/containers/${id}/run`,
    headers: auth,
    payload: { command: ["sh", "-c", 'echo "$ROUND $WHO"'] },
  });
  expect(response.statusCode, response.body).toBe(200);
  return response.json<{ stdout: string }>().stdout;
}
