/**
 * The Hub's own test app (hub-app/test/app/test-app.ts: the real routes over a fake orchestrator),
 * for infra tests that check what the Hub does with the environment a stack gives it. Loaded at run
 * time by a path TypeScript does not follow: the Hub is ESM and uses import.meta, which this CommonJS
 * project's typecheck rejects; hub-app's own typecheck covers it.
 */
import type { FastifyInstance } from "fastify";

export interface HubTestApp {
  readonly app: FastifyInstance;
  readonly fake: { pingError: Error | undefined };
}

interface TestAppModule {
  readonly auth: Record<string, string>;
  fakeHub(env?: Record<string, string>): Promise<HubTestApp>;
}

const TEST_APP: string = "../../hub-app/test/app/test-app";

export async function hubTestApp(): Promise<TestAppModule> {
  return (await import(TEST_APP)) as TestAppModule;
}
