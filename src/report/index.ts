export {
  COMPLIANCE_METHOD,
  COMPLIANCE_MODEL,
  STATUSES,
  endpointFor,
  fetchReport,
  parseRows,
  type ComplianceStatus,
  type FetchedReport,
  type ReportRow,
  type ReportTarget,
} from "./client.js";
export { ReportError, type ReportErrorCode } from "./errors.js";
export {
  authenticate,
  faultSummary,
  methodFault,
  openSession,
  probeServer,
  type MethodWords,
  type ServerVersion,
  type Session,
} from "./session.js";
export { API_KEY_SHAPE, ApiKeyFileError, CREATE_KEY_HINT, readApiKeyFile, type ApiKeyFile } from "./key.js";
export { csvCell, formatCsv, formatJson, formatReport, formatTable, NO_GROUP_LABEL, REPORT_FORMATS, terminalText, type ReportFormat } from "./format.js";
export { sortRows, summarize, type GroupSummary, type ReportSummary, type StatusCounts } from "./summary.js";
export { decodeMethodResponse, encodeMethodCall, XmlRpcFault, XmlRpcTransportError, type XmlRpcValue } from "./xmlrpc.js";
