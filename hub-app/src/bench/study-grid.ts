/** The original study's grid: 1, 20, 100 and 1000 containers, a create every 100 ms (burst) and every 1 s (gradual). */
export const STUDY_SIZES = [1, 20, 100, 1000] as const;
export const STUDY_INTERVALS_MS = [100, 1000] as const;
