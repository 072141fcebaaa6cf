import { z } from "zod";
import { numberEnv, optionalTextEnv } from "../../env-fields.js";

// No import of @kubernetes/client-node here: config.ts (and the CommonJS infrastructure tests) import this file.

/** A label or namespace segment as Kubernetes allows it (RFC 1123 label / qualified name). */
const NAME = "[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?";
const QUALIFIED_KEY = new RegExp(`^([a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?/)?${NAME}$`);
const LABEL_VALUE = new RegExp(`^(${NAME})?$`);
const NAMESPACE = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;
const TAINT_EFFECTS = ["NoSchedule", "PreferNoSchedule", "NoExecute"] as const;
export const KUBERNETES_PLACEMENTS = ["ec2", "fargate"] as const;
export type KubernetesPlacement = (typeof KUBERNETES_PLACEMENTS)[number];

export interface LabelSetting {
  readonly key: string;
  readonly value: string;
}
export interface TaintSetting extends LabelSetting {
  readonly effect: (typeof TAINT_EFFECTS)[number];
}

/** `key=value` (HUB_K8S_WORKER_LABEL, HUB_K8S_FARGATE_LABEL). */
function labelEnv(name: string, fallback: string) {
  return optionalTextEnv()
    .transform((raw, ctx): LabelSetting => {
      const text = raw ?? fallback;
      const [key = "", value = "", ...rest] = text.split("=");
      if (text.includes("=") && rest.length === 0 && QUALIFIED_KEY.test(key) && LABEL_VALUE.test(value))
        return { key, value };
      ctx.issues.push({
        code: "custom",
        input: raw,
        message: `${name} must be key=value with a Kubernetes label key and value, like ${fallback} (got "${text}")`,
      });
      return z.NEVER;
    })
    .meta({ defaultInWords: `\`${fallback}\`` });
}

/** `key=value:Effect` (HUB_K8S_WORKER_TAINT), the kubectl spelling. */
function taintEnv(name: string, fallback: string) {
  return optionalTextEnv()
    .transform((raw, ctx): TaintSetting => {
      const text = raw ?? fallback;
      const match = /^([^=:]+)=([^=:]*):([A-Za-z]+)$/.exec(text);
      const [, key = "", value = "", effect = ""] = match ?? [];
      const knownEffect = TAINT_EFFECTS.find((known) => known === effect);
      if (match !== null && QUALIFIED_KEY.test(key) && LABEL_VALUE.test(value) && knownEffect !== undefined) {
        return { key, value, effect: knownEffect };
      }
      ctx.issues.push({
        code: "custom",
        input: raw,
        message: `${name} must be key=value:Effect with Effect one of ${TAINT_EFFECTS.join(", ")}, like ${fallback} (got "${text}")`,
      });
      return z.NEVER;
    })
    .meta({ defaultInWords: `\`${fallback}\`` });
}

/** Comma list of ec2,fargate; the first is the default placement. */
const placementsEnv = optionalTextEnv().transform((raw, ctx): KubernetesPlacement[] => {
  const items = (raw ?? "ec2")
    .split(",")
    .map((item) => item.trim())
    .filter((item) => item !== "");
  const bad = items.filter((item) => !(KUBERNETES_PLACEMENTS as readonly string[]).includes(item));
  if (items.length === 0 || bad.length > 0 || new Set(items).size !== items.length) {
    ctx.issues.push({
      code: "custom",
      input: raw,
      message: `HUB_K8S_PLACEMENTS must be a comma list of distinct ${KUBERNETES_PLACEMENTS.join(", ")}, default first (got "${raw}")`,
    });
    return z.NEVER;
  }
  return items as KubernetesPlacement[];
});

/** The Kubernetes orchestrator's environment (names shared with the infrastructure's hubEnvironment). */
export const kubernetesEnvSchema = z
  .object({
    HUB_K8S_NAMESPACE: optionalTextEnv()
      .transform((name) => name ?? "sandboxes")
      .refine((name) => NAMESPACE.test(name), {
        error: "HUB_K8S_NAMESPACE must be a namespace name: 1-63 lowercase letters, digits or '-'",
      })
      .describe("where sandbox pods are created"),
    HUB_K8S_PLACEMENTS: placementsEnv.describe(
      `comma list of ${KUBERNETES_PLACEMENTS.map((placement) => `\`${placement}\``).join(", ")}; the first is the default placement`,
    ),
    HUB_K8S_WORKER_LABEL: labelEnv("HUB_K8S_WORKER_LABEL", "sandbox.hub/pool=workers").describe(
      "node selector of `ec2` sandboxes",
    ),
    HUB_K8S_WORKER_TAINT: taintEnv(
      "HUB_K8S_WORKER_TAINT",
      "sandbox.hub/dedicated=sandbox:NoSchedule",
    ).describe("taint `ec2` sandboxes tolerate (`key=value:Effect`)"),
    HUB_K8S_FARGATE_LABEL: labelEnv("HUB_K8S_FARGATE_LABEL", "sandbox.hub/placement=fargate").describe(
      "label on `fargate` sandboxes, matching the Fargate profile's selector",
    ),
    // Long enough for cluster-autoscaler to add a node (the original study measured ~90 s on EKS EC2 workers), short enough to fail a class's request.
    HUB_K8S_UNSCHEDULABLE_DEADLINE_MS: numberEnv(
      "HUB_K8S_UNSCHEDULABLE_DEADLINE_MS",
      { min: 1000, max: 3_600_000, integer: true },
      120_000,
    ).describe("how long a pod may stay unschedulable before the create fails (a new node takes ~90 s)"),
    HUB_K8S_RUNTIME_CLASS: optionalTextEnv()
      .refine((name) => name === undefined || NAMESPACE.test(name), {
        error: "HUB_K8S_RUNTIME_CLASS must be a RuntimeClass name (lowercase letters, digits, '-')",
      })
      .describe("RuntimeClass for `ec2` sandboxes, e.g. a gVisor or Kata class installed on the workers"),
    HUB_K8S_WORKDIR: optionalTextEnv()
      .transform((dir) => dir ?? "/workspace")
      .refine(
        (dir) => /^\/[A-Za-z0-9._-]+(\/[A-Za-z0-9._-]+)*$/.test(dir) && !dir.split("/").includes(".."),
        {
          error:
            "HUB_K8S_WORKDIR must be an absolute path of letters, digits, '.', '_', '-' and '/', without '..'",
        },
      )
      .describe("the working directory (an emptyDir) and `HOME` of sandbox pods"),
  })
  .transform((env) => ({
    namespace: env.HUB_K8S_NAMESPACE,
    placements: env.HUB_K8S_PLACEMENTS,
    workerLabel: env.HUB_K8S_WORKER_LABEL,
    workerTaint: env.HUB_K8S_WORKER_TAINT,
    fargateLabel: env.HUB_K8S_FARGATE_LABEL,
    unschedulableDeadlineMs: env.HUB_K8S_UNSCHEDULABLE_DEADLINE_MS,
    ...(env.HUB_K8S_RUNTIME_CLASS === undefined ? {} : { runtimeClass: env.HUB_K8S_RUNTIME_CLASS }),
    workdir: env.HUB_K8S_WORKDIR,
  }));

export type KubernetesSettings = z.output<typeof kubernetesEnvSchema>;
