/**
 * An NLB closes a TCP flow idle for 350 s; the service controller cannot change it, and TLS listeners
 * keep 350 s too (ELB docs, "Network Load Balancers", Connection idle timeout). A run answers only when
 * it ends, silent until then, so the Hub behind the NLB caps runs below it.
 */
export const NLB_IDLE_TIMEOUT_SECONDS = 350;
/** HUB_RUN_TIMEOUT_MAX_MS on EKS, in seconds: 20 s left to send the answer. */
export const RUN_TIMEOUT_MAX_SECONDS_BEHIND_NLB = NLB_IDLE_TIMEOUT_SECONDS - 20;
