export {
  verifyAddonDocker,
  sweepStaleRuns,
  OWNER_PID_LABEL,
  OWNER_HOST_LABEL,
  odooArgs,
  defaultOdooImage,
  DEFAULT_POSTGRES_IMAGE,
  EXTRA_ADDONS,
  RUN_LABEL,
  type DockerVerifyOptions,
  type DockerVerifyReport,
} from "./verify.js";
export { findDocker, privateDockerHost, docker, inspectImage, type Docker } from "./daemon.js";
