export {
  DEFAULT_LONGPOLLING,
  DEFAULT_UPSTREAM,
  PROXY_FORMATS,
  checkHostPort,
  parseProxySnippetHeader,
  policySha256,
  proxySnippetIsStale,
  proxySnippetStatus,
  renderProxySnippet,
  TRUSTED_HOPS,
  underscoreSpellings,
  type ProxyFormat,
  type ProxyOptions,
  type ProxySnippetHeader,
  type ProxySnippetStatus,
} from "./render.js";
export { addressIn, intersectNetworks, parseNetwork } from "./networks.js";
export { proxySnippetFileStatus, type ProxySnippetFileStatus } from "./check.js";
