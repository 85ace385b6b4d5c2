export { verifyAddon, templateModules, templateKey, TEMPLATE_BASE_MODULES, TEMPLATE_DB } from "./local.js";
export { SERIES } from "../profiles/series.js";
export { VerifyError, type VerifyErrorCode } from "./errors.js";
export {
  readAddon,
  locateTree,
  readTreeSeries,
  findPython,
  findPostgres,
  sourcesRoot,
  cacheRoot,
  manifestDepends,
  type AddonInfo,
  type OdooTree,
} from "./environment.js";
export {
  analyzeLog,
  parseLogRecords,
  exceptionMessage,
  HARMLESS,
  type LogAnalysis,
  type LogIssue,
  type IgnoredIssue,
  type InstallError,
  type TestFailure,
  type TestResult,
} from "./log.js";
export type { VerifyOptions, VerifyReport, ProgressEvent, StepName, StepTiming } from "./types.js";
export { formatReport, formatProgress, formatDuration } from "./format.js";
