// Programmatic API of the load tester (used by the bench suite and tests).
export { parseArgs, validate, checkTarget, isLoopbackHost, stripLeadingDashDash, DEFAULTS, UsageError, HelpRequested, type Options, type TargetKind, type ClassName } from './args.js';
export { runLoadTest, stepOk, DRAIN_QUIET_MS, type ProgressInfo, type RunHooks } from './run.js';
export { summaryTable, REQUIRED_FIELDS, type Report, type SaturationStep } from './report.js';
export { renderHtml } from './html.js';
export { LatencyHistogram, type Percentiles } from './histogram.js';
export { median, percentile, ratioSummary, sig, type RatioSummary } from './stats.js';
export { sampleProc, cpuPct, parseStatCpuTicks, parseStatusRssBytes, type ProcSample } from './proc.js';
export { wsFrameBytes, nowUs32, ageUs, writePayload, readU32 } from './payload.js';
export { socketIoUrl, cursorTimestamp, splitBatch, encodeCursor3, type BatchUpdate } from './adapters.js';
export { SendHistory, isAfter, nextSampleDelayMs } from './staleness.js';
export { LoadAbortedError, describeNoLoad, FIRST_WAVE } from './abort.js';
export { ExitCode } from './exit-codes.js';
export { parseThreshold, evaluateThresholds, METRICS, type Threshold, type ThresholdResult } from './threshold.js';
export { niceTicks, niceStep, logTicks } from './ticks.js';
export { rng } from './rng.js';
