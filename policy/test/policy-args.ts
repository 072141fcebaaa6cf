/**
 * Policies called directly, the way pulumi/pulumi-policy-aws tests its rules (src/tests/util.ts): build
 * the argument bag CrossGuard would pass, run the validation, collect what it reports. Props go through
 * CrossGuard's own unknownCheckingProxy, so reading a preview's unknown value throws as it does in
 * `pulumi preview`, and the result says the policy could not run, as the engine's analyzer server does.
 */
import * as crossGuard from "@pulumi/policy";
import type {
  PolicyResource,
  ResourceValidationArgs,
  ResourceValidationPolicy,
  StackValidationArgs,
  StackValidationPolicy,
} from "@pulumi/policy";
import { UnknownValueError } from "../lib/unknowns";

/** The value Pulumi sends for anything not known during a preview (@pulumi/pulumi runtime/rpc.ts). */
export const UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";

const unknownCheckingProxy = (crossGuard as unknown as { unknownCheckingProxy: <T>(v: T) => T })
  .unknownCheckingProxy;

const options = {
  protect: false,
  ignoreChanges: [],
  aliases: [],
  additionalSecretOutputs: [],
  customTimeouts: { createSeconds: 0, updateSeconds: 0, deleteSeconds: 0 },
};

const notApplicable = (reason?: string): never => {
  throw new Error(`not applicable: ${reason}`);
};

export interface Outcome {
  readonly violations: { message: string; urn?: string }[];
  /** Set when the policy read a value not known yet: CrossGuard reports "can't run policy ... during preview". */
  readonly unknown?: Error;
}

async function run(
  validate: () => Promise<void> | void,
  violations: Outcome["violations"],
): Promise<Outcome> {
  try {
    await validate();
    return { violations };
  } catch (error) {
    if (error instanceof UnknownValueError) return { violations, unknown: error };
    throw error;
  }
}

export function resourceArgs(
  type: string,
  props: Record<string, unknown>,
  name = "subject",
): ResourceValidationArgs {
  return {
    type,
    name,
    urn: `urn:pulumi:test::sandbox-platform::${type}::${name}`,
    props: unknownCheckingProxy(props),
    opts: options,
    stackTags: new Map(),
    isType: () => false,
    asType: () => undefined,
    getConfig: <T>() => ({}) as T,
    notApplicable,
  };
}

export async function checkResource(
  policy: ResourceValidationPolicy,
  args: ResourceValidationArgs,
): Promise<Outcome> {
  const violations: Outcome["violations"] = [];
  const report = (message: string) => violations.push({ message, urn: args.urn });
  return run(async () => {
    for (const validate of [policy.validateResource].flat()) await validate?.(args, report);
  }, violations);
}

export interface Links {
  readonly parent?: PolicyResource;
  readonly dependsOn?: PolicyResource[];
  /** Input name -> the resources its value came from. */
  readonly from?: Record<string, PolicyResource[]>;
}

/** A stack under test: add resources, link them as the engine would, then check a stack policy. */
export class TestStack {
  readonly resources: PolicyResource[] = [];

  add(type: string, name: string, props: Record<string, unknown>, links: Links = {}): PolicyResource {
    const resource: PolicyResource = {
      type,
      name,
      urn: `urn:pulumi:test::sandbox-platform::${type}::${name}`,
      props: unknownCheckingProxy(props),
      opts: options,
      parent: links.parent,
      dependencies: links.dependsOn ?? [],
      propertyDependencies: links.from ?? {},
      isType: () => false,
      asType: () => undefined,
    };
    this.resources.push(resource);
    return resource;
  }

  args(): StackValidationArgs {
    return { resources: this.resources, stackTags: new Map(), getConfig: <T>() => ({}) as T, notApplicable };
  }

  async check(policy: StackValidationPolicy): Promise<Outcome> {
    const violations: Outcome["violations"] = [];
    const report = (message: string, urn?: string) => violations.push({ message, urn });
    return run(() => policy.validateStack(this.args(), report), violations);
  }
}

/** The messages, for `expect(...).toEqual([expect.stringContaining(...)])`. */
export const messagesOf = (outcome: Outcome): string[] => outcome.violations.map((v) => v.message);
