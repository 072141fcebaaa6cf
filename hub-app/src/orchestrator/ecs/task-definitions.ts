/**
 * One sandbox task definition per (image, Fargate size), registered once and reused.
 *
 * A new Hub (restart, second replica) finds the revisions already registered in the family
 * (ListTaskDefinitions + DescribeTaskDefinition) before registering, so restarts do not pile up
 * duplicates. Two replicas racing on the same new size may still both register; that costs one
 * spare revision and nothing else. Task definitions carry no tags: tagging at registration
 * needs ecs:TagResource on task definitions, which the Hub's role does not have (it may tag
 * tasks at RunTask only).
 */
import {
  DescribeTaskDefinitionCommand,
  ListTaskDefinitionsCommand,
  RegisterTaskDefinitionCommand,
  type ECSClient,
  type RegisterTaskDefinitionCommandInput,
  type TaskDefinition,
} from "@aws-sdk/client-ecs";
import { callEcs } from "./errors.js";
import type { FargateSize } from "./fargate-sizes.js";
import type { EcsSettings } from "./settings.js";

/** The container's name in every sandbox task definition (the same as the infrastructure's default definition). */
export const SANDBOX_CONTAINER_NAME = "sandbox";

/**
 * Keeps the task alive in any image with `sh` (`sleep infinity` is GNU-only); the trap ends the
 * task at once on SIGTERM instead of after the stop timeout. Same as the infrastructure's.
 */
export const KEEP_ALIVE_COMMAND = "trap 'exit 0' TERM INT; while :; do sleep 3600 & wait $!; done";

/** How many existing revisions a new Hub inspects before registering (newest first); bounds start-up calls. */
const MAX_REVISIONS_SCANNED = 100;
/** Revisions described in parallel per step of the scan. */
const DESCRIBE_BATCH = 5;

export interface SandboxDefinitionKey extends FargateSize {
  readonly image: string;
}

type DefinitionSettings = Pick<
  EcsSettings,
  "taskFamily" | "executionRoleArn" | "taskRoleArn" | "logGroup" | "region"
>;

/** What RegisterTaskDefinition receives for one (image, size). */
export function sandboxTaskDefinitionInput(
  settings: DefinitionSettings,
  key: SandboxDefinitionKey,
): RegisterTaskDefinitionCommandInput {
  return {
    family: settings.taskFamily,
    executionRoleArn: settings.executionRoleArn,
    taskRoleArn: settings.taskRoleArn,
    networkMode: "awsvpc",
    requiresCompatibilities: ["FARGATE"],
    cpu: String(key.cpuUnits),
    memory: String(key.memoryMiB),
    runtimePlatform: { operatingSystemFamily: "LINUX", cpuArchitecture: "X86_64" },
    containerDefinitions: [
      {
        name: SANDBOX_CONTAINER_NAME,
        image: key.image,
        essential: true,
        entryPoint: ["sh", "-c"],
        command: [KEEP_ALIVE_COMMAND],
        // Writable on purpose: ECS Exec's agent is bind-mounted in and writes its state into the
        // container (AWS docs, ECS Exec considerations), and students install packages and write files.
        readonlyRootFilesystem: false,
        // An init as PID 1 reaps the processes each exec session leaves behind (required for ECS Exec hygiene).
        linuxParameters: { initProcessEnabled: true },
        logConfiguration: {
          logDriver: "awslogs",
          options: {
            "awslogs-group": settings.logGroup,
            "awslogs-region": settings.region,
            "awslogs-stream-prefix": "sandbox",
            // A slow log stream never blocks the sandbox's writes.
            mode: "non-blocking",
          },
        },
      },
    ],
  };
}

/**
 * Whether an existing revision can run sandboxes of `key`: same family, size, roles, image,
 * awsvpc on Fargate, and an init process (which ECS Exec needs). Other details (e.g. the
 * keep-alive command) may differ, so the infrastructure's default definition is reused too.
 */
export function definitionServes(
  definition: TaskDefinition,
  settings: DefinitionSettings,
  key: SandboxDefinitionKey,
): boolean {
  const container = definition.containerDefinitions?.find((c) => c.name === SANDBOX_CONTAINER_NAME);
  return (
    definition.family === settings.taskFamily &&
    definition.status === "ACTIVE" &&
    definition.cpu === String(key.cpuUnits) &&
    definition.memory === String(key.memoryMiB) &&
    definition.networkMode === "awsvpc" &&
    (definition.requiresCompatibilities ?? []).includes("FARGATE") &&
    definition.executionRoleArn === settings.executionRoleArn &&
    definition.taskRoleArn === settings.taskRoleArn &&
    definition.containerDefinitions?.length === 1 &&
    container?.image === key.image &&
    container.linuxParameters?.initProcessEnabled === true
  );
}

const keyString = (key: SandboxDefinitionKey): string => `${key.image}|${key.cpuUnits}|${key.memoryMiB}`;

/** Existing revisions of the family: their ARNs newest first, and those described so far. */
interface FamilyScan {
  readonly arns: readonly string[];
  next: number;
  readonly described: TaskDefinition[];
}

/** Task definition ARNs by (image, size): in memory, found in ECS, or registered; concurrent asks share one flight. */
export class TaskDefinitionRegistry {
  private readonly arns = new Map<string, Promise<string>>();
  private scan: FamilyScan | undefined;
  /** Scans of the family run one at a time so two sizes never describe the same revision twice. */
  private scanQueue: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly ecs: ECSClient,
    private readonly settings: DefinitionSettings,
  ) {}

  arnFor(key: SandboxDefinitionKey): Promise<string> {
    const id = keyString(key);
    let arn = this.arns.get(id);
    if (arn === undefined) {
      arn = this.findOrRegister(key);
      this.arns.set(id, arn);
      // A failed flight is forgotten so the next create tries again.
      arn.catch(() => this.arns.delete(id));
    }
    return arn;
  }

  private async findOrRegister(key: SandboxDefinitionKey): Promise<string> {
    const found = await this.findExisting(key);
    if (found?.taskDefinitionArn !== undefined) return found.taskDefinitionArn;
    const input = sandboxTaskDefinitionInput(this.settings, key);
    const registered = await callEcs("RegisterTaskDefinition", () =>
      this.ecs.send(new RegisterTaskDefinitionCommand(input)),
    );
    const arn = registered.taskDefinition?.taskDefinitionArn;
    if (arn === undefined)
      throw new Error("ECS RegisterTaskDefinition answered without a task definition ARN");
    return arn;
  }

  /** Describes revisions newest first, a batch at a time, until one serves `key` or none are left. */
  private findExisting(key: SandboxDefinitionKey): Promise<TaskDefinition | undefined> {
    const run = this.scanQueue.then(async () => {
      this.scan ??= { arns: await this.listFamily(), next: 0, described: [] };
      const scan = this.scan;
      let match = scan.described.find((d) => definitionServes(d, this.settings, key));
      while (match === undefined && scan.next < scan.arns.length) {
        const batch = scan.arns.slice(scan.next, scan.next + DESCRIBE_BATCH);
        const described = await Promise.all(batch.map((arn) => this.describe(arn)));
        scan.next += batch.length;
        const definitions = described.filter((d): d is TaskDefinition => d !== undefined);
        scan.described.push(...definitions);
        match = definitions.find((d) => definitionServes(d, this.settings, key));
      }
      return match;
    });
    this.scanQueue = run.catch(() => undefined);
    return run;
  }

  private async listFamily(): Promise<string[]> {
    const arns: string[] = [];
    let nextToken: string | undefined;
    do {
      const page = await callEcs("ListTaskDefinitions", () =>
        this.ecs.send(
          new ListTaskDefinitionsCommand({
            familyPrefix: this.settings.taskFamily,
            status: "ACTIVE",
            sort: "DESC",
            nextToken,
          }),
        ),
      );
      arns.push(...(page.taskDefinitionArns ?? []));
      nextToken = page.nextToken;
    } while (nextToken !== undefined && arns.length < MAX_REVISIONS_SCANNED);
    return arns.slice(0, MAX_REVISIONS_SCANNED);
  }

  private async describe(arn: string): Promise<TaskDefinition | undefined> {
    const described = await callEcs("DescribeTaskDefinition", () =>
      this.ecs.send(new DescribeTaskDefinitionCommand({ taskDefinition: arn })),
    );
    return described.taskDefinition;
  }
}
