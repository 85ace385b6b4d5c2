import { locateTree, VerifyError } from "../../src/verify/index.js";

/** Why a series cannot be exported here (verify's one-line reason), or undefined when its tree is present. */
export function missingTree(series: string): string | undefined {
  try {
    locateTree(series);
    return undefined;
  } catch (error) {
    if (error instanceof VerifyError) return error.oneLine();
    throw error;
  }
}
