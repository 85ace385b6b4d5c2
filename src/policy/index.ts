export {
  parsePolicyBytes,
  parsePolicyText,
  toModel,
  MAX_POLICY_BYTES,
  MAX_ALIAS_COUNT,
  type LoadOptions,
  type LoadResult,
} from "./load.js";
export { policySchema, policyJsonSchema, LICENSES, type PolicyFile } from "./schema.js";
export { countIssues, fileIssue, formatPath, sortIssues, type PolicyIssue } from "./issues.js";
export { parseCidr, normaliseCidr, type CidrResult } from "./cidr.js";
export {
  COMMUNITY_MODULES,
  addedDependencies,
  checkOdooGroups,
  groupName,
  odooCatalog,
  type AddedDependency,
  type OdooCatalog,
} from "./odoo-groups.js";
export { didYouMean, editDistance } from "./suggest.js";
export * from "./model.js";
