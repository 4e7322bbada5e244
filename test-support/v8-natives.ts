import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";

/**
 * Whether V8 keeps `value`'s properties in its fast layout (a shape shared with like objects)
 * rather than as a dictionary of its own, several times larger: V8's own check
 * (%HasFastProperties), compiled with natives syntax allowed for it alone.
 */
export function hasFastProperties(value: object): boolean {
  setFlagsFromString("--allow-natives-syntax");
  try {
    return (runInNewContext("(value) => %HasFastProperties(value)") as (value: object) => boolean)(value);
  } finally {
    setFlagsFromString("--no-allow-natives-syntax");
  }
}
