/**
 * The Pod the Hub creates for one sandbox: a pure function of the request and the settings, so
 * the infrastructure tests can check it against the cluster's taints, Fargate profiles and
 * Pod Security level without a cluster.
 */
import type { V1Pod, V1Toleration } from "@kubernetes/client-node";
import { METADATA_KEY } from "../metadata-keys.js";
import type { ContainerSpec } from "../types.js";
import type { KubernetesSettings } from "./settings.js";

export const SANDBOX_CONTAINER = "sandbox";
/** Non-root ids for images whose USER is root (most language images): runAsNonRoot alone would refuse them. */
export const SANDBOX_UID = 1000;
/**
 * PID 1 keeps the pod alive and exits on SIGTERM at once: a shell without a trap ignores TERM
 * as PID 1, and every delete would wait out the grace period.
 */
export const KEEP_ALIVE_COMMAND = [
  "/bin/sh",
  "-c",
  "trap 'exit 0' TERM; while :; do sleep 3600 & wait $!; done",
];
// Scratch space bounds: a student's files and pip installs, not data sets (emptyDir sizeLimit evicts past it).
const WORKDIR_SIZE_LIMIT = "1Gi";
const TMP_SIZE_LIMIT = "256Mi";
const TERMINATION_GRACE_SECONDS = 2;

/** `cpu` in vCPU -> millicores; `memory` MiB -> Mi. Requests equal limits (Guaranteed QoS, no noisy neighbours). */
function resourcesOf(spec: ContainerSpec) {
  const amounts = { cpu: `${Math.round(spec.cpu * 1000)}m`, memory: `${spec.memoryMiB}Mi` };
  return { requests: amounts, limits: amounts };
}

function placementOf(spec: ContainerSpec, settings: KubernetesSettings) {
  if (spec.placement === "fargate") {
    // The Fargate profile selects pods by this label; a node selector or toleration would not match Fargate nodes.
    return { labels: { [settings.fargateLabel.key]: settings.fargateLabel.value } };
  }
  const { workerLabel, workerTaint } = settings;
  const toleration: V1Toleration = {
    key: workerTaint.key,
    operator: "Equal",
    value: workerTaint.value,
    effect: workerTaint.effect,
  };
  return {
    labels: {},
    nodeSelector: { [workerLabel.key]: workerLabel.value },
    tolerations: [toleration],
    ...(settings.runtimeClass === undefined ? {} : { runtimeClassName: settings.runtimeClass }),
  };
}

export function sandboxLabels(id: string, instance: string): Record<string, string> {
  return { [METADATA_KEY.instance]: instance, [METADATA_KEY.id]: id, "app.kubernetes.io/name": "sandbox" };
}

/** The label selector of this Hub's sandboxes (list, watch). */
export function instanceSelector(instance: string): string {
  return `${METADATA_KEY.instance}=${instance}`;
}

/** The label selector of one sandbox of this Hub, whatever its Pod is called. */
export function sandboxSelector(instance: string, id: string): string {
  return `${instanceSelector(instance)},${METADATA_KEY.id}=${id}`;
}

export function podName(pod: V1Pod): string {
  const name = pod.metadata?.name;
  if (name === undefined) throw new Error("a Pod read from the API server has no name");
  return name;
}

export function buildSandboxPod(spec: ContainerSpec, settings: KubernetesSettings, instance: string): V1Pod {
  const { labels: placementLabels, ...scheduling } = placementOf(spec, settings);
  const env = Object.entries({ HOME: settings.workdir, ...spec.env })
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([name, value]) => ({ name, value }));
  return {
    apiVersion: "v1",
    kind: "Pod",
    metadata: {
      name: spec.id,
      labels: { ...sandboxLabels(spec.id, instance), ...placementLabels },
      annotations: {
        [METADATA_KEY.createdAt]: spec.createdAt.toISOString(),
        [METADATA_KEY.expiresAt]: spec.expiresAt.toISOString(),
        [METADATA_KEY.cpu]: String(spec.cpu),
        [METADATA_KEY.memory]: String(spec.memoryMiB),
        [METADATA_KEY.placement]: spec.placement,
      },
    },
    spec: {
      restartPolicy: "Never",
      automountServiceAccountToken: false,
      // Service environment variables would tell a sandbox where the cluster's services are.
      enableServiceLinks: false,
      terminationGracePeriodSeconds: TERMINATION_GRACE_SECONDS,
      securityContext: {
        runAsNonRoot: true,
        runAsUser: SANDBOX_UID,
        runAsGroup: SANDBOX_UID,
        fsGroup: SANDBOX_UID,
        seccompProfile: { type: "RuntimeDefault" },
      },
      ...scheduling,
      containers: [
        {
          name: SANDBOX_CONTAINER,
          image: spec.image,
          command: KEEP_ALIVE_COMMAND,
          workingDir: settings.workdir,
          env,
          ports: spec.ports.map((containerPort) => ({ containerPort, protocol: "TCP" })),
          resources: resourcesOf(spec),
          securityContext: {
            allowPrivilegeEscalation: false,
            readOnlyRootFilesystem: true,
            runAsNonRoot: true,
            capabilities: { drop: ["ALL"] },
            seccompProfile: { type: "RuntimeDefault" },
          },
          volumeMounts: [
            { name: "workdir", mountPath: settings.workdir },
            { name: "tmp", mountPath: "/tmp" },
          ],
        },
      ],
      volumes: [
        { name: "workdir", emptyDir: { sizeLimit: WORKDIR_SIZE_LIMIT } },
        { name: "tmp", emptyDir: { sizeLimit: TMP_SIZE_LIMIT } },
      ],
    },
  };
}
