/**
 * A minimal XML-RPC client over node's fetch: the subset Odoo's `/xmlrpc/2/*` endpoints need
 * (string, int, double, boolean, nil, struct, array; faults). No dependency, no attributes, no
 * DTDs: anything else in an answer is a protocol error, never guessed at.
 */

export type XmlRpcValue = string | number | boolean | null | XmlRpcValue[] | { [key: string]: XmlRpcValue };

/** The server answered with an XML-RPC fault (Odoo: 1 application error, 2 warning/UserError, 3 AccessDenied, 4 AccessError). */
export class XmlRpcFault extends Error {
  override readonly name = "XmlRpcFault";
  constructor(
    readonly faultCode: number | string,
    readonly faultString: string,
  ) {
    super(`XML-RPC fault ${faultCode}: ${faultString}`);
  }
}

/** Why no XML-RPC answer was had: the server is unreachable, or it answered something else. */
export class XmlRpcTransportError extends Error {
  override readonly name = "XmlRpcTransportError";
  constructor(
    readonly kind: "unreachable" | "timeout" | "http" | "redirect" | "protocol",
    message: string,
    readonly status?: number,
    readonly location?: string,
  ) {
    super(message);
  }
}

// ---------------------------------------------------------------------------------------------
// Encoding
// ---------------------------------------------------------------------------------------------

/** XML text: `&`, `<`, `>` escaped (what Python's xmlrpc.client does, plus `>` for `]]>`). */
export function escapeXmlText(text: string): string {
  return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
}

function encodeValue(value: XmlRpcValue, depth: number): string {
  if (depth > 64) throw new TypeError("XML-RPC value nested too deeply");
  if (value === null) return "<value><nil/></value>";
  if (typeof value === "string") return `<value><string>${escapeXmlText(value)}</string></value>`;
  if (typeof value === "boolean") return `<value><boolean>${value ? 1 : 0}</boolean></value>`;
  if (typeof value === "number") {
    if (!Number.isFinite(value)) throw new TypeError(`XML-RPC cannot carry ${value}`);
    if (Number.isInteger(value)) {
      // <int> is a 32-bit integer; Python's client refuses to send more.
      if (value > 2 ** 31 - 1 || value < -(2 ** 31)) throw new TypeError(`${value} exceeds XML-RPC's 32-bit <int>`);
      return `<value><int>${value}</int></value>`;
    }
    return `<value><double>${value}</double></value>`;
  }
  if (Array.isArray(value)) return `<value><array><data>${value.map((item) => encodeValue(item, depth + 1)).join("")}</data></array></value>`;
  const members = Object.entries(value).map(([name, member]) => `<member><name>${escapeXmlText(name)}</name>${encodeValue(member, depth + 1)}</member>`);
  return `<value><struct>${members.join("")}</struct></value>`;
}

/** A complete `<methodCall>` document. */
export function encodeMethodCall(method: string, params: readonly XmlRpcValue[]): string {
  const encoded = params.map((param) => `<param>${encodeValue(param, 0)}</param>`).join("");
  return `<?xml version="1.0"?>\n<methodCall><methodName>${escapeXmlText(method)}</methodName><params>${encoded}</params></methodCall>\n`;
}

// ---------------------------------------------------------------------------------------------
// Decoding
// ---------------------------------------------------------------------------------------------

interface XmlElement {
  name: string;
  children: (XmlElement | string)[];
}

const protocol = (message: string) => new XmlRpcTransportError("protocol", `not an XML-RPC answer: ${message}`);

const NAMED_ENTITIES: Record<string, string> = { lt: "<", gt: ">", amp: "&", quot: '"', apos: "'" };

function decodeEntities(text: string): string {
  return text.replace(/&(#x[0-9a-fA-F]+|#[0-9]+|[a-zA-Z]+);/g, (whole, ref: string) => {
    if (ref.startsWith("#")) {
      const code = ref[1] === "x" ? Number.parseInt(ref.slice(2), 16) : Number.parseInt(ref.slice(1), 10);
      if (!(code >= 0 && code <= 0x10ffff)) throw protocol(`character reference ${whole}`);
      return String.fromCodePoint(code);
    }
    const named = NAMED_ENTITIES[ref];
    if (named === undefined) throw protocol(`unknown entity ${whole}`);
    return named;
  });
}

/**
 * Parses the XML subset XML-RPC uses into elements and text. Iterative (a hostile answer cannot
 * overflow the stack); attributes, DOCTYPEs and anything unexpected are refused.
 */
export function parseXml(text: string): XmlElement {
  const token = /<\?[\s\S]*?\?>|<!--[\s\S]*?-->|<!\[CDATA\[([\s\S]*?)\]\]>|<(\/?)([A-Za-z_][\w.:-]*)\s*(\/?)>|([^<]+)/y;
  const root: XmlElement = { name: "#document", children: [] };
  const stack: XmlElement[] = [root];
  let position = 0;
  while (position < text.length) {
    token.lastIndex = position;
    const match = token.exec(text);
    if (!match) throw protocol(`unexpected markup at character ${position}: ${JSON.stringify(text.slice(position, position + 40))}`);
    position = token.lastIndex;
    const [whole, cdata, closing, name, selfClosing, chars] = match;
    const top = stack[stack.length - 1]!;
    if (whole.startsWith("<?") || whole.startsWith("<!--")) continue;
    if (cdata !== undefined) top.children.push(cdata);
    else if (chars !== undefined) top.children.push(decodeEntities(chars));
    else if (closing) {
      if (top.name !== name || stack.length === 1) throw protocol(`</${name}> closes <${top.name}>`);
      stack.pop();
    } else {
      const element: XmlElement = { name: name!, children: [] };
      top.children.push(element);
      if (!selfClosing) stack.push(element);
    }
  }
  if (stack.length !== 1) throw protocol(`<${stack[stack.length - 1]!.name}> is never closed`);
  const elements = root.children.filter((child): child is XmlElement => typeof child !== "string");
  if (elements.length !== 1 || root.children.some((child) => typeof child === "string" && child.trim() !== ""))
    throw protocol("expected exactly one root element");
  return elements[0]!;
}

const elementsOf = (element: XmlElement) => element.children.filter((child): child is XmlElement => typeof child !== "string");
const textOf = (element: XmlElement) => element.children.map((child) => (typeof child === "string" ? child : "")).join("");

function only(element: XmlElement, name: string): XmlElement {
  const children = elementsOf(element);
  if (children.length !== 1 || children[0]!.name !== name)
    throw protocol(`<${element.name}> should hold one <${name}>, not ${children.map((child) => `<${child.name}>`).join("") || "nothing"}`);
  return children[0]!;
}

function decodeValue(value: XmlElement, depth: number): XmlRpcValue {
  if (depth > 64) throw protocol("values nested too deeply");
  if (value.name !== "value") throw protocol(`expected <value>, found <${value.name}>`);
  const children = elementsOf(value);
  // No type element: a string.
  if (children.length === 0) return textOf(value);
  if (children.length > 1) throw protocol("<value> holds more than one element");
  const typed = children[0]!;
  const text = textOf(typed);
  switch (typed.name) {
    case "string":
      return text;
    case "int":
    case "i4":
    case "i8": {
      if (!/^\s*[-+]?\d+\s*$/.test(text)) throw protocol(`<${typed.name}>${text}</${typed.name}>`);
      return Number.parseInt(text, 10);
    }
    case "double": {
      const number = Number(text.trim());
      if (text.trim() === "" || Number.isNaN(number)) throw protocol(`<double>${text}</double>`);
      return number;
    }
    case "boolean": {
      const flag = text.trim();
      if (flag !== "0" && flag !== "1") throw protocol(`<boolean>${text}</boolean>`);
      return flag === "1";
    }
    case "nil":
      return null;
    case "dateTime.iso8601":
    case "base64":
      return text.trim();
    case "array": {
      const data = only(typed, "data");
      return elementsOf(data).map((item) => decodeValue(item, depth + 1));
    }
    case "struct": {
      const struct: { [key: string]: XmlRpcValue } = Object.create(null) as { [key: string]: XmlRpcValue };
      for (const member of elementsOf(typed)) {
        if (member.name !== "member") throw protocol(`<struct> holds <${member.name}>`);
        const parts = elementsOf(member);
        const name = parts.find((part) => part.name === "name");
        const memberValue = parts.find((part) => part.name === "value");
        if (!name || !memberValue || parts.length !== 2) throw protocol("a <member> needs one <name> and one <value>");
        struct[textOf(name)] = decodeValue(memberValue, depth + 1);
      }
      return struct;
    }
    default:
      throw protocol(`unsupported type <${typed.name}>`);
  }
}

/** The value of a `<methodResponse>`; a `<fault>` is thrown as XmlRpcFault. */
export function decodeMethodResponse(text: string): XmlRpcValue {
  const root = parseXml(text);
  if (root.name !== "methodResponse") throw protocol(`the root element is <${root.name}>`);
  const body = elementsOf(root);
  if (body.length !== 1) throw protocol("<methodResponse> should hold <params> or <fault>");
  if (body[0]!.name === "fault") {
    const fault = decodeValue(only(body[0]!, "value"), 0);
    if (typeof fault !== "object" || fault === null || Array.isArray(fault)) throw protocol("a <fault> without a struct");
    const code = fault.faultCode;
    const message = fault.faultString;
    throw new XmlRpcFault(typeof code === "number" || typeof code === "string" ? code : String(code), typeof message === "string" ? message : String(message));
  }
  if (body[0]!.name !== "params") throw protocol(`<methodResponse> holds <${body[0]!.name}>`);
  const param = only(body[0]!, "param");
  return decodeValue(only(param, "value"), 0);
}

// ---------------------------------------------------------------------------------------------
// Transport
// ---------------------------------------------------------------------------------------------

export interface CallOptions {
  /** Milliseconds before the call is abandoned (default 120 s). */
  timeoutMs?: number;
  /** For tests: a fetch implementation. */
  fetch?: typeof fetch;
}

/** The network error's own code (ECONNREFUSED, ENOTFOUND, a TLS code …), from undici's `cause`. */
function networkReason(error: unknown): string {
  const cause = (error as { cause?: { code?: string; message?: string } })?.cause;
  const code = cause?.code;
  const reasons: Record<string, string> = {
    ECONNREFUSED: "connection refused",
    ENOTFOUND: "host not found",
    EAI_AGAIN: "host name lookup failed",
    ECONNRESET: "connection reset",
    EHOSTUNREACH: "host unreachable",
    ENETUNREACH: "network unreachable",
    ETIMEDOUT: "connection timed out",
  };
  if (code && reasons[code]) return reasons[code];
  return cause?.message ?? (error as Error)?.message ?? String(error);
}

/** POSTs one call to `endpoint` and decodes the answer. Never follows redirects: the key must not go elsewhere. */
export async function xmlRpcCall(endpoint: string, method: string, params: readonly XmlRpcValue[], options: CallOptions = {}): Promise<XmlRpcValue> {
  const doFetch = options.fetch ?? fetch;
  const timeoutMs = options.timeoutMs ?? 120_000;
  let response: Response;
  let body: string;
  try {
    response = await doFetch(endpoint, {
      method: "POST",
      headers: { "Content-Type": "text/xml; charset=utf-8", Accept: "text/xml" },
      body: encodeMethodCall(method, params),
      redirect: "manual",
      signal: AbortSignal.timeout(timeoutMs),
    });
    body = await response.text();
  } catch (error) {
    const name = (error as Error)?.name;
    if (name === "TimeoutError" || name === "AbortError")
      throw new XmlRpcTransportError("timeout", `no answer within ${Math.round(timeoutMs / 1000)} s`);
    throw new XmlRpcTransportError("unreachable", networkReason(error));
  }
  if (response.status >= 300 && response.status < 400) {
    const location = response.headers.get("location") ?? undefined;
    throw new XmlRpcTransportError("redirect", `HTTP ${response.status} redirect${location ? ` to ${location}` : ""}`, response.status, location);
  }
  if (response.status !== 200) throw new XmlRpcTransportError("http", `HTTP ${response.status} ${response.statusText}`.trim(), response.status);
  return decodeMethodResponse(body);
}
