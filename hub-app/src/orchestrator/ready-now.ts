import type { ContainerInfo } from "./types.js";

/** The container as the Hub saw it become ready: readyAt now, and `ready` ms since createdAt. */
export function markReady(info: ContainerInfo, nowMs: number): ContainerInfo {
  const ready = Math.max(0, nowMs - Date.parse(info.createdAt));
  return { ...info, readyAt: new Date(nowMs).toISOString(), timings: { ...info.timings, ready } };
}
