/**
 * Container start, which kwok does not play (its pods are Running the moment they are bound): the
 * original study's measured times per stack, added to the measured times as a labelled model, never
 * hidden in them. EKS EC2: a 50-container burst with the image on the node started 2 at ~1 s, 24 at
 * ~2 s and 24 at ~3 s; Fargate pulls the image for every start (1.1 GB image).
 */
export interface StartModel {
  readonly stack: "eks-ec2" | "eks-fargate" | "ecs-fargate";
  readonly p50Seconds: number;
  /** The slowest start the study reported, used for p99 and max. */
  readonly maxSeconds: number;
  readonly basis: string;
}

export const STUDY_START: readonly StartModel[] = [
  {
    stack: "eks-ec2",
    p50Seconds: 2,
    maxSeconds: 3,
    basis: "image already on the node; 50-container burst: 2 at ~1 s, 24 at ~2 s, 24 at ~3 s",
  },
  {
    stack: "eks-fargate",
    p50Seconds: 80,
    maxSeconds: 160,
    basis: "1.1 GB image: 160 s at 0.25 vCPU, ~80 s with more CPU, also for 20-1000 containers",
  },
  {
    stack: "ecs-fargate",
    p50Seconds: 45,
    maxSeconds: 50,
    basis: "1.1 GB image 40-50 s; a 7.5 MB image ~20 s",
  },
];

export const EC2_START: StartModel = STUDY_START[0]!;

/**
 * A cell's modelled creation time: the measured p50/p99 plus the modelled start, except for warm
 * claims, whose container started before the request came.
 */
export function modelledCct(measured: { p50: number | null; p99: number | null }, warm: boolean) {
  const add = (ms: number | null, seconds: number) => (ms === null ? null : ms + (warm ? 0 : seconds * 1000));
  return { p50: add(measured.p50, EC2_START.p50Seconds), p99: add(measured.p99, EC2_START.maxSeconds) };
}
