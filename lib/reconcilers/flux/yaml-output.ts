import { Document, isPair, isScalar, Scalar, Schema, visit, type Pair } from "yaml";
import { MASK } from "./credentials";
import type { KubeObject } from "./types";

/** YAML previews and diffs of rendered or live objects: stable text, Secret values masked. */

export { MASK as SECRET_MASK } from "./credentials";

// kubectl's client-side apply stores the whole applied object, Secret data included, here.
const LAST_APPLIED_ANNOTATION = "kubectl.kubernetes.io/last-applied-configuration";

/** Copies of the objects with every Secret value replaced by a fixed mask. */
export function maskSecrets(objects: readonly KubeObject[]): KubeObject[] {
  return objects.map((object) => {
    const copy = structuredClone(object);
    if (copy.kind !== "Secret") return copy;
    const mask = (values: Record<string, string>) => Object.fromEntries(Object.keys(values).map((key) => [key, MASK]));
    if (copy.data) copy.data = mask(copy.data);
    if (copy.stringData) copy.stringData = mask(copy.stringData);
    if (copy.metadata.annotations?.[LAST_APPLIED_ANNOTATION] !== undefined) {
      copy.metadata.annotations[LAST_APPLIED_ANNOTATION] = MASK;
    }
    return copy;
  });
}

// Kubernetes' conventional order at the top and in metadata; every other mapping sorts by
// code point, so the text does not depend on how an object was built or read back.
const TOP_LEVEL_ORDER = ["apiVersion", "kind", "metadata", "type", "data", "stringData", "spec"];
const METADATA_ORDER = ["name", "namespace", "labels", "annotations"];

function keyText(pair: Pair): string {
  return isScalar(pair.key) ? String(pair.key.value) : String(pair.key);
}

function comparePairs(leading: readonly string[]) {
  const rank = (key: string) => {
    const index = leading.indexOf(key);
    return index === -1 ? leading.length : index;
  };
  return (a: Pair, b: Pair): number => {
    const [left, right] = [keyText(a), keyText(b)];
    const byRank = rank(left) - rank(right);
    if (byRank !== 0) return byRank;
    return left < right ? -1 : left > right ? 1 : 0;
  };
}

function leadingKeysFor(path: readonly unknown[]): readonly string[] {
  if (path.length === 1) return TOP_LEVEL_ORDER;
  const parent = path[path.length - 1];
  return path.length === 3 && isPair(parent) && keyText(parent) === "metadata" ? METADATA_ORDER : [];
}

/**
 * Plain scalars that a YAML 1.1 reader (kubectl and Go's yaml.v2) would not read as a
 * string: yes/no/on/off, 0755, 1:20, timestamps. The 1.2 writer leaves them unquoted,
 * so they are quoted here to mean the same thing to every reader.
 */
const YAML_11_PLAIN_TESTS = new Schema({ schema: "yaml-1.1" }).tags.flatMap((tag) =>
  tag.tag !== "tag:yaml.org,2002:str" && tag.default !== false && "test" in tag && tag.test ? [tag.test] : [],
);

function isAmbiguousIn11(value: string): boolean {
  return YAML_11_PLAIN_TESTS.some((test) => test.test(value));
}

function objectToYaml(object: KubeObject): string {
  const doc = new Document(object, { aliasDuplicateObjects: false });
  visit(doc, {
    Map(_, node, path) {
      node.items.sort(comparePairs(leadingKeysFor(path)));
    },
    Scalar(_, node) {
      if (typeof node.value === "string" && isAmbiguousIn11(node.value)) node.type = Scalar.QUOTE_DOUBLE;
    },
  });
  return doc.toString({ lineWidth: 0 });
}

/** Multi-document YAML, one document per object, keys in a stable order. */
export function toYaml(objects: readonly KubeObject[]): string {
  return objects.map(objectToYaml).join("---\n");
}
