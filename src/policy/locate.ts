/**
 * From key paths to `line:col` in the policy file, through the YAML document's nodes (their
 * source ranges) and a LineCounter. JSON files are parsed by the same YAML parser, so this
 * works for both.
 */
import { isMap, isPair, isScalar, isSeq, type Document, type LineCounter, type Node } from "yaml";
import type { PolicyPath } from "./issues.js";

export interface Located {
  line: number;
  col: number;
}

interface Walk {
  /** The deepest node reached along the path. */
  node: Node | null;
  /** The key node of the pair that led to `node` (undefined at the root or inside lists). */
  keyNode?: Node;
  /** How many path parts were followed. */
  depth: number;
}

function keyText(key: unknown): string | undefined {
  if (isScalar(key)) return String(key.value);
  return undefined;
}

function walk(doc: Document, path: PolicyPath): Walk {
  let node = (doc.contents as Node | null) ?? null;
  let keyNode: Node | undefined;
  let depth = 0;
  for (const part of path) {
    if (typeof part === "string" && isMap(node)) {
      // The last pair with that key wins in the parsed value, so point at the last one.
      const pair = [...node.items].reverse().find((item) => keyText(item.key) === part);
      if (!pair) break;
      keyNode = pair.key as Node;
      node = (pair.value as Node | null) ?? null;
      depth++;
      if (node === null) break;
    } else if (typeof part === "number" && isSeq(node)) {
      const item = node.items[part] as Node | undefined;
      if (item === undefined) break;
      keyNode = undefined;
      node = item;
      depth++;
    } else break;
  }
  return { node, keyNode, depth };
}

export class Locator {
  constructor(
    private readonly doc: Document,
    private readonly lineCounter: LineCounter,
  ) {}

  at(offset: number): Located {
    const { line, col } = this.lineCounter.linePos(offset);
    return { line, col };
  }

  /** Where a node starts; falls back to the start of the document. */
  private startOf(node: Node | null | undefined): number | undefined {
    return node?.range?.[0];
  }

  /**
   * The position of the value at `path`. When the path does not exist (a missing key), the
   * position of the nearest existing parent, preferably its key (`addon:`). An empty value
   * (`title:`) points at its key.
   */
  value(path: PolicyPath): Located {
    const { node, keyNode, depth } = walk(this.doc, path);
    const complete = depth === path.length;
    const empty = isScalar(node) && node.value === null && node.range && node.range[0] === node.range[1];
    const target = complete && node && !empty ? node : (keyNode ?? node);
    return this.at(this.startOf(target) ?? this.startOf(this.doc.contents as Node | null) ?? 0);
  }

  /** The position of the key `key` in the map at `parent` (an unknown key). */
  key(parent: PolicyPath, key: string): Located {
    const { node, depth } = walk(this.doc, parent);
    if (depth === parent.length && isMap(node)) {
      const pair = node.items.find((item) => keyText(item.key) === key);
      const start = this.startOf(pair?.key as Node | undefined);
      if (start !== undefined) return this.at(start);
    }
    return this.value(parent);
  }

  /** The key path of the deepest node containing `offset` (for parser errors). */
  pathAt(offset: number): (string | number)[] {
    const path: (string | number)[] = [];
    let node = (this.doc.contents as Node | null) ?? null;
    const contains = (n: unknown) => {
      const range = (n as Node | null)?.range;
      return !!range && offset >= range[0] && offset <= range[1];
    };
    while (path.length < 32) {
      if (isMap(node)) {
        const pair = node.items.find((item) => isPair(item) && (contains(item.key) || contains(item.value)));
        const key = pair && keyText(pair.key);
        if (!pair || key === undefined) return path;
        path.push(key);
        if (!contains(pair.value)) return path;
        node = pair.value as Node;
      } else if (isSeq(node)) {
        const index = node.items.findIndex((item) => contains(item));
        if (index < 0) return path;
        path.push(index);
        node = node.items[index] as Node;
      } else return path;
    }
    return path;
  }

  /** The source text of the value at `path`, when it exists (for "found ..." messages). */
  sourceText(text: string, path: PolicyPath): string | undefined {
    const { node, depth } = walk(this.doc, path);
    if (depth !== path.length || !node?.range) return undefined;
    if (!isScalar(node)) return undefined;
    return text.slice(node.range[0], node.range[1]);
  }
}
