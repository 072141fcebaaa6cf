/**
 * The shared Pulumi mock harness: records every resource and invoke, stubs remote components,
 * gives ids like `mocked::<type>::<name>`, and throws on an unknown invoke.
 */
import * as pulumi from "@pulumi/pulumi";
import { INVOKES } from "./invokes";
import { mockArn, REMOTE_STUBS, type Inputs } from "./remote-stubs";

export interface RecordedResource {
  readonly type: string;
  readonly name: string;
  readonly inputs: Inputs;
  readonly custom: boolean;
  /** Filled once the engine answers: the resource's URN and its parent's. */
  urn?: string;
  parentUrn?: string;
  /** URNs of the resources this one waits for (dependsOn and inputs from other resources). */
  dependencies?: string[];
  /** What this resource was known as before (`aliases: [{ name }, { type }]`), empty fields left out. */
  aliases?: { name?: string; type?: string }[];
  /** What the engine receives: inputs in wire form (unknowns as Pulumi's sentinel, secrets and references signed). */
  wireInputs?: Inputs;
  /** Per input, the URNs of the resources its value came from (what policies use to link resources). */
  propertyDependencies?: Record<string, string[]>;
}

export interface RecordedInvoke {
  readonly token: string;
  readonly inputs: Inputs;
}

export class Recorder {
  readonly resources: RecordedResource[] = [];
  readonly invokes: RecordedInvoke[] = [];

  ofType(type: string): RecordedResource[] {
    return this.resources.filter((r) => r.type === type);
  }

  /** The single resource of a type (and name, if given); throws when there is not exactly one. */
  one(type: string, name?: string): RecordedResource {
    const found = this.ofType(type).filter((r) => name === undefined || r.name === name);
    if (found.length !== 1) {
      const names = this.ofType(type).map((r) => r.name);
      throw new Error(
        `expected one ${type}${name ? ` named ${name}` : ""}, found ${found.length} (${names.join(", ")})`,
      );
    }
    return found[0]!;
  }

  parentOf(resource: RecordedResource): RecordedResource | undefined {
    return this.resources.find((r) => r.urn !== undefined && r.urn === resource.parentUrn);
  }

  /** The recorded resources `resource` waits for, directly. */
  dependenciesOf(resource: RecordedResource): RecordedResource[] {
    const urns = new Set(resource.dependencies ?? []);
    return this.resources.filter((r) => r.urn !== undefined && urns.has(r.urn));
  }

  /** Whether `resource` waits for `dependency`, directly or through components and other resources. */
  waitsFor(resource: RecordedResource, dependency: RecordedResource): boolean {
    const seen = new Set<RecordedResource>();
    const pending = [resource];
    while (pending.length > 0) {
      const next = pending.pop()!;
      for (const direct of this.dependenciesOf(next)) {
        if (direct === dependency) return true;
        if (seen.has(direct)) continue;
        seen.add(direct);
        // Waiting for a component means waiting for everything under it.
        pending.push(direct, ...this.resources.filter((r) => this.isUnder(r, direct)));
      }
    }
    return false;
  }

  private isUnder(resource: RecordedResource, ancestor: RecordedResource): boolean {
    for (let parent = this.parentOf(resource); parent; parent = this.parentOf(parent)) {
      if (parent === ancestor) return true;
    }
    return false;
  }
}

/** Values only AWS knows after creation: unique enough to trace back to the resource. */
function computedState(type: string, name: string, inputs: Inputs): Inputs {
  const [pkg, module] = type.split(":");
  return {
    arn: mockArn(module?.split("/")[0] ?? pkg ?? "mock", name),
    name: inputs.name ?? `${name}-mocked`,
    ...inputs,
  };
}

interface MonitorRequest {
  getType(): string;
  getName(): string;
  getParent(): string;
  getDependenciesList(): string[];
  getAliasesList(): { getSpec(): { getType(): string; getName(): string } | undefined }[];
  getObject(): { toJavaScript(): Inputs } | undefined;
  getPropertydependenciesMap(): {
    forEach(fn: (deps: { getUrnsList(): string[] }, key: string) => void): void;
  };
}
type MonitorCallback = (err: unknown, response?: { getUrn(): string }) => void;
interface PatchableMonitor {
  registerResource(req: MonitorRequest, callback: MonitorCallback): Promise<void>;
}

export async function installMocks(project: string, stack: string, preview = false): Promise<Recorder> {
  const recorder = new Recorder();
  const pendingByKey = new Map<string, RecordedResource[]>();
  await pulumi.runtime.setMocks(
    {
      newResource(args) {
        const inputs = (args.inputs ?? {}) as Inputs;
        const record: RecordedResource = {
          type: args.type,
          name: args.name,
          inputs,
          custom: args.custom ?? true,
        };
        recorder.resources.push(record);
        const key = `${args.type}::${args.name}`;
        pendingByKey.set(key, [...(pendingByKey.get(key) ?? []), record]);
        const stub = REMOTE_STUBS[args.type];
        const state = stub
          ? stub(args.name, inputs)
          : args.custom
            ? computedState(args.type, args.name, inputs)
            : inputs;
        return { id: args.custom ? `mocked::${args.type}::${args.name}` : undefined, state };
      },
      call(args) {
        recorder.invokes.push({ token: args.token, inputs: args.inputs as Inputs });
        const answer = INVOKES[args.token];
        if (!answer) throw new Error(`Mock not implemented: ${args.token}`);
        return answer(args.inputs as Inputs);
      },
    },
    project,
    stack,
    preview,
  );
  // The mocks API does not pass a resource's parent; the monitor's request carries it.
  const monitor = pulumi.runtime.getMonitor() as unknown as PatchableMonitor;
  const register = monitor.registerResource.bind(monitor);
  monitor.registerResource = (req, callback) =>
    register(req, (err, response) => {
      const record = pendingByKey.get(`${req.getType()}::${req.getName()}`)?.shift();
      if (record && response) {
        record.urn = response.getUrn();
        record.parentUrn = req.getParent() || undefined;
        record.dependencies = req.getDependenciesList();
        Object.assign(record, engineView(req));
        record.aliases = req.getAliasesList().map((alias) => {
          const spec = alias.getSpec();
          return {
            ...(spec?.getName() ? { name: spec.getName() } : {}),
            ...(spec?.getType() ? { type: spec.getType() } : {}),
          };
        });
      }
      callback(err, response);
    });
  return recorder;
}

function engineView(req: MonitorRequest): Pick<RecordedResource, "wireInputs" | "propertyDependencies"> {
  const propertyDependencies: Record<string, string[]> = {};
  req.getPropertydependenciesMap().forEach((deps, key) => (propertyDependencies[key] = deps.getUrnsList()));
  return { wireInputs: req.getObject()?.toJavaScript() ?? {}, propertyDependencies };
}

/** Unwraps an Output in a test. */
export function promiseOf<T>(output: pulumi.Output<T>): Promise<T> {
  return new Promise((resolve) => output.apply((value) => resolve(value)));
}
