/** Anti-fraud caps per program: the only code that writes anti_fraud_locks, anti_fraud_usage, anti_fraud_hits. */
export {
  AntiFraudService,
  type CapHitListener,
  type HitView,
  hitsOfDay,
  recordHit,
  recordingRefusedHits,
} from "./hits.js";
export {
  AccrualAllowanceTaken,
  AntiFraudRefusal,
  accrualAllowance,
  type CapHit,
  consumeUsage,
  countRefund,
  extendUsage,
  localDay,
  releaseSpending,
  releaseUsage,
  reserveAccrual,
  reserveSpending,
  weekStart,
} from "./usage.js";
