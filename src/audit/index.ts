export { auditLimits, auditUsers, runAudit, type AuditOptions } from "./audit.js";
export { AuditError, type AuditErrorKind } from "./errors.js";
export { baseUrlFinding, checkExposure, urlFor, type ExposureOptions } from "./exposure.js";
export { AUDIT_CSV_COLUMNS, AUDIT_FORMATS, formatAudit, formatAuditCsv, formatAuditHtml, formatAuditJson, formatAuditTable, type AuditFormat } from "./format.js";
export { policyJudge, policyStatusOfAddon, type PolicyJudge } from "./judge.js";
export * from "./model.js";
export { closure, readFacts, type OdooFacts, type RawUser } from "./read.js";
export { summarizeAudit } from "./summary.js";
