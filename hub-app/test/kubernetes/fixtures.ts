/** Shared pieces of the Kubernetes orchestrator tests: settings, specs, an orchestrator on the fake API server. */
import { pino } from "pino";
import { expect } from "vitest";
import { HubError } from "../../src/errors.js";
import { newContainerId } from "../../src/ids.js";
import {
  createKubernetesOrchestrator,
  kubernetesEnvSchema,
  type KubernetesSettings,
} from "../../src/orchestrator/kubernetes/index.js";
import type { ContainerSpec, Orchestrator } from "../../src/orchestrator/types.js";
import type { FakeKubeApi } from "./fake-api-server.js";

export const INSTANCE = "hub-test";
export const NAMESPACE = "sandboxes";

export function kubernetesSettings(overrides: Record<string, string> = {}): KubernetesSettings {
  return kubernetesEnvSchema.parse({ HUB_K8S_PLACEMENTS: "ec2,fargate", ...overrides });
}

export function containerSpec(overrides: Partial<ContainerSpec> = {}): ContainerSpec {
  const createdAt = new Date();
  return {
    id: newContainerId(),
    image: "public.ecr.aws/docker/library/python:3.12-slim",
    cpu: 0.25,
    memoryMiB: 512,
    placement: "ec2",
    env: {},
    ports: [],
    createdAt,
    expiresAt: new Date(createdAt.getTime() + 3_600_000),
    ...overrides,
  };
}

export function orchestratorOn(
  fake: FakeKubeApi,
  options: { instance?: string; settings?: Record<string, string>; token?: string } = {},
): Orchestrator {
  return createKubernetesOrchestrator(
    kubernetesSettings(options.settings),
    { instance: options.instance ?? INSTANCE, logger: pino({ level: "silent" }) },
    { kubeConfig: fake.kubeConfig(options.token), watchRestartDelayMs: 10 },
  );
}

/** Creates a sandbox and waits until it is ready for commands. */
export async function readySandbox(orchestrator: Orchestrator, overrides: Partial<ContainerSpec> = {}) {
  const spec = containerSpec(overrides);
  await orchestrator.create(spec);
  return orchestrator.waitReady(spec.id, 10_000);
}

/** The HubError a promise rejects with (fails the test when it resolves or rejects with anything else). */
export async function failureOf(promise: Promise<unknown>): Promise<HubError> {
  const error = await promise.then(
    () => undefined,
    (reason: unknown) => reason,
  );
  expect(error).toBeInstanceOf(HubError);
  return error as HubError;
}
