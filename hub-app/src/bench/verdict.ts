/** The one-line verdict: this run against the pod-startup SLO and the original study's numbers. */

/** sig-scalability pod startup SLO: p99 <= 5 s from creation to running, image pull excluded (kubernetes/community sig-scalability/slos/pod_startup_latency.md). */
export const POD_STARTUP_SLO_MS = 5_000;

/** The original study's creation times: EKS+EC2 under 10 s, ECS+Fargate 20-50 s, EKS+Fargate 80-160 s. */
export const STUDY = {
  eksEc2: { upToMs: 10_000, text: "EKS+EC2 under 10 s" },
  ecsFargate: { upToMs: 50_000, text: "ECS+Fargate 20-50 s" },
  eksFargate: { text: "EKS+Fargate 80-160 s" },
  commandMs: 200,
} as const;

export interface VerdictInput {
  readonly requested: number;
  readonly ok: number;
  readonly failed: number;
  readonly interrupted: boolean;
  readonly creationP99Ms: number | null;
  readonly commandP50Ms: number | null;
  readonly failuresByCode: Readonly<Record<string, number>>;
  /** Web scenario: what a student waits for, and each page through the Hub. */
  readonly web?: {
    readonly firstResponseP99Ms: number | null;
    readonly proxiedP50Ms: number | null;
    readonly proxiedP99Ms: number | null;
  };
}

export interface Verdict {
  /** No failures and p99 creation within the SLO. */
  readonly ok: boolean;
  readonly text: string;
}

/** Three significant-ish digits: 0.051 s, 2.35 s, 81.2 s; whole seconds stay whole (5 s). */
function seconds(ms: number): string {
  const value = ms / 1000;
  if (Number.isInteger(value)) return `${value} s`;
  return `${value.toFixed(value < 1 ? 3 : value < 10 ? 2 : 1)} s`;
}

function comparedWithStudy(p99Ms: number): string {
  if (p99Ms <= POD_STARTUP_SLO_MS) {
    return `meets the ${seconds(POD_STARTUP_SLO_MS)} pod-startup SLO (study: ${STUDY.eksEc2.text}, ${STUDY.ecsFargate.text}, ${STUDY.eksFargate.text})`;
  }
  const like =
    p99Ms <= STUDY.eksEc2.upToMs
      ? `within the study's ${STUDY.eksEc2.text}`
      : p99Ms <= STUDY.ecsFargate.upToMs
        ? `in the range of the study's ${STUDY.ecsFargate.text}`
        : `in the range of the study's ${STUDY.eksFargate.text}`;
  return `misses the ${seconds(POD_STARTUP_SLO_MS)} pod-startup SLO, ${like}`;
}

function topCodes(failuresByCode: Readonly<Record<string, number>>): string {
  return Object.entries(failuresByCode)
    .sort((a, b) => b[1] - a[1])
    .slice(0, 3)
    .map(([code, count]) => `${count} ${code}`)
    .join(", ");
}

function webText(input: VerdictInput): string {
  if (input.web === undefined) return "";
  const { firstResponseP99Ms, proxiedP50Ms, proxiedP99Ms } = input.web;
  const show = (ms: number | null): string => (ms === null ? "-" : seconds(ms));
  return `; first response p99 ${show(firstResponseP99Ms)}, proxied GET p50 ${show(proxiedP50Ms)} p99 ${show(proxiedP99Ms)}`;
}

export function verdict(input: VerdictInput): Verdict {
  const prefix = input.interrupted ? "INTERRUPTED (partial run): " : "";
  const commands =
    (input.commandP50Ms === null
      ? ""
      : `; command p50 ${seconds(input.commandP50Ms)} (study ~${seconds(STUDY.commandMs)})`) + webText(input);
  if (input.creationP99Ms === null) {
    const why = input.failed > 0 ? ` (${topCodes(input.failuresByCode)})` : "";
    return { ok: false, text: `${prefix}FAIL: no container became ready${why}` };
  }
  const creation = `p99 creation ${seconds(input.creationP99Ms)} ${comparedWithStudy(input.creationP99Ms)}`;
  if (input.failed > 0) {
    return {
      ok: false,
      text: `${prefix}FAIL: ${input.failed} of ${input.requested} containers failed (${topCodes(input.failuresByCode)}); ${creation}${commands}`,
    };
  }
  const withinSlo = input.creationP99Ms <= POD_STARTUP_SLO_MS;
  return { ok: withinSlo, text: `${prefix}${withinSlo ? "PASS" : "SLOW"}: ${creation}${commands}` };
}
