/**
 * What kwok plays: its own "fast" node and pod Stages (sigs.k8s.io/kwok kustomize/stage, read from
 * the pinned module) and one Stage of ours for an image that cannot be pulled. Exec is not kwok's
 * here (exec-kubelet serves it), so its debugging handlers are off.
 */
import { readFileSync } from "node:fs";
import { parseAllDocuments, stringify } from "yaml";

/** An image kwok treats as unpullable (`.invalid` is reserved, RFC 2606): the kubelet's ErrImagePull. */
export const UNPULLABLE_IMAGE = "registry.invalid/no-such-image:1";

/** Upstream stage files, relative to the kwok module: nodes become Ready and heartbeat, pods run, jobs end, deletes finish. */
export const UPSTREAM_STAGES = [
  "kustomize/stage/node/fast/node-initialize.yaml",
  "kustomize/stage/node/heartbeat-with-lease/node-heartbeat-with-lease.yaml",
  "kustomize/stage/pod/fast/pod-ready.yaml",
  "kustomize/stage/pod/fast/pod-complete.yaml",
  "kustomize/stage/pod/fast/pod-delete.yaml",
] as const;

interface Stage {
  metadata: { name: string };
  spec: { selector?: { matchExpressions?: Record<string, unknown>[] } } & Record<string, unknown>;
}

const FIRST_IMAGE = ".spec.containers.[0].image";

/** The kubelet's ErrImagePull as kwok plays it: the waiting state and the Warning event (kubelet images/image_manager.go). */
function unpullableImageStage(): Stage {
  return {
    metadata: { name: "pod-image-unpullable" },
    spec: {
      resourceRef: { apiGroup: "v1", kind: "Pod" },
      selector: {
        matchExpressions: [
          { key: ".metadata.deletionTimestamp", operator: "DoesNotExist" },
          { key: ".spec.nodeName", operator: "Exists" },
          { key: FIRST_IMAGE, operator: "In", values: [UNPULLABLE_IMAGE] },
          {
            key: '.status.containerStatuses.[] | select( .state.waiting.reason == "ErrImagePull" ) | .name',
            operator: "DoesNotExist",
          },
        ],
      },
      // Above the upstream stages' weight 0, so this one is chosen whenever both match.
      weight: 1,
      next: {
        event: {
          type: "Warning",
          reason: "Failed",
          message: `Failed to pull image "${UNPULLABLE_IMAGE}": name unknown: no such host registry.invalid`,
        },
        statusTemplate: [
          "phase: Pending",
          "containerStatuses:",
          "{{ range .spec.containers }}",
          "- name: {{ .name | Quote }}",
          "  image: {{ .image | Quote }}",
          "  ready: false",
          "  restartCount: 0",
          "  state:",
          "    waiting:",
          "      reason: ErrImagePull",
          `      message: "failed to pull and unpack image ${UNPULLABLE_IMAGE}: no such host"`,
          "{{ end }}",
        ].join("\n"),
      },
    },
  };
}

/** Upstream pod-ready, except for the unpullable image, which must never run. */
function withoutUnpullable(stage: Stage): Stage {
  if (stage.metadata.name !== "pod-ready") return stage;
  const selector = stage.spec.selector ?? {};
  return {
    ...stage,
    spec: {
      ...stage.spec,
      selector: {
        ...selector,
        matchExpressions: [
          ...(selector.matchExpressions ?? []),
          { key: FIRST_IMAGE, operator: "NotIn", values: [UNPULLABLE_IMAGE] },
        ],
      },
    },
  };
}

/** One YAML stream for `kwok --config`. */
export function kwokConfig(upstreamStageFiles: readonly string[]): string {
  const upstream = upstreamStageFiles.flatMap((file) =>
    parseAllDocuments(readFileSync(file, "utf8")).map((doc) => doc.toJS() as Stage),
  );
  const stages = [...upstream.map(withoutUnpullable), unpullableImageStage()].map((stage) => ({
    apiVersion: "kwok.x-k8s.io/v1alpha1",
    kind: "Stage",
    ...stage,
  }));
  const configuration = {
    apiVersion: "config.kwok.x-k8s.io/v1alpha1",
    kind: "KwokConfiguration",
    // A configuration document replaces kwok's defaults (v1alpha1 zz_generated.defaults.go) rather than
    // merging with them: the defaults again, but with the debugging handlers (exec, logs, port-forward,
    // pprof: open to anyone on 127.0.0.1) off, since nothing here uses them.
    options: {
      enableDebuggingHandlers: false,
      enableProfilingHandler: false,
      enableContentionProfiling: false,
      podPlayStageParallelism: 4,
      nodePlayStageParallelism: 4,
      nodeLeaseParallelism: 4,
      nodeLeaseDurationSeconds: 40,
      podsOnNodeSyncParallelism: 1,
      enablePodsOnNodeSyncListPager: true,
      enablePodsOnNodeSyncStreamWatch: false,
    },
  };
  return [configuration, ...stages].map((doc) => stringify(doc)).join("---\n");
}
