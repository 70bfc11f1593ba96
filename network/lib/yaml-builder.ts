import { Alias, Document, isNode, Node as YamlNode, Pair, Scalar, YAMLMap, YAMLSeq } from 'yaml';

/**
 * A small layer over the `yaml` package's document model, so the compose file can be written as
 * plain objects while keeping what makes it readable: comments above keys, blank lines between
 * sections, flow style for short lists, block scalars for scripts, anchors and aliases.
 */

/** A value with a comment (one or more lines) above its key, or above it in a list. */
export class Commented {
  constructor(
    readonly text: string,
    readonly value: unknown,
    readonly blankBefore = false,
  ) {}
}

class Styled {
  constructor(
    readonly value: unknown,
    readonly style: 'flow' | 'block' | 'quoted',
  ) {}
}

/** `# text` above this entry. */
export const note = (text: string, value: unknown): Commented => new Commented(text, value);
/** A blank line, then `# text` (or nothing), above this entry. */
export const section = (text: string, value: unknown): Commented => new Commented(text, value, true);
/** `[a, b]` / `{ a: b }` on one line. */
export const flow = (value: unknown[] | Record<string, unknown>): Styled => new Styled(value, 'flow');
/** A literal block scalar (`|`), for scripts. */
export const block = (text: string): Styled => new Styled(text, 'block');
/** A double-quoted string: for values another YAML reader could take for a boolean or number (`off`). */
export const quoted = (text: string): Styled => new Styled(text, 'quoted');

/** An anchored mapping that other entries alias (`&name`) or merge (`<<: *name`). */
export class Anchored {
  node: YamlNode | undefined;
  constructor(
    readonly name: string,
    readonly value: Record<string, unknown>,
  ) {}
}

export const anchor = (name: string, value: Record<string, unknown>): Anchored => new Anchored(name, value);

/** `*name` in place of a value. */
export class AliasOf {
  constructor(readonly target: Anchored) {}
}
export const alias = (target: Anchored): AliasOf => new AliasOf(target);
/** The merge key, first in a mapping: `<<: *name`. */
export const MERGE = '<<';

function commentText(text: string): string {
  return text
    .split('\n')
    .map((line) => (line === '' ? '' : ` ${line}`))
    .join('\n');
}

/** Anchors must be built before their aliases: keys of a mapping are converted in order. */
function toNode(doc: Document, value: unknown): YamlNode {
  if (isNode(value)) return value;
  if (value instanceof Anchored) {
    const node = toNode(doc, value.value);
    node.anchor = value.name;
    value.node = node;
    return node;
  }
  if (value instanceof AliasOf) {
    if (!value.target.node) throw new Error(`alias *${value.target.name} before its anchor`);
    return new Alias(value.target.name);
  }
  if (value instanceof Styled) {
    const node = toNode(doc, value.value);
    if (value.style === 'flow') (node as YAMLSeq | YAMLMap).flow = true;
    if (value.style === 'block') (node as Scalar).type = Scalar.BLOCK_LITERAL;
    if (value.style === 'quoted') (node as Scalar).type = Scalar.QUOTE_DOUBLE;
    return node;
  }
  if (Array.isArray(value)) {
    const seq = new YAMLSeq(doc.schema);
    for (const item of value) {
      const node = toNode(doc, item instanceof Commented ? item.value : item);
      if (item instanceof Commented) Object.assign(node, { commentBefore: commentText(item.text), spaceBefore: item.blankBefore });
      seq.items.push(node);
    }
    return seq;
  }
  if (typeof value === 'object' && value !== null) {
    const map = new YAMLMap(doc.schema);
    for (const [key, entry] of Object.entries(value)) {
      const keyNode = new Scalar(key);
      if (entry instanceof Commented) {
        if (entry.text !== '') keyNode.commentBefore = commentText(entry.text);
        // Not before a mapping's first entry: the blank line would carry the indentation.
        keyNode.spaceBefore = entry.blankBefore && map.items.length > 0;
      }
      map.items.push(new Pair(keyNode, toNode(doc, entry instanceof Commented ? entry.value : entry)));
    }
    return map;
  }
  return doc.createNode(value);
}

/** Renders plain objects (with the helpers above) as a YAML document with a header comment. */
export function renderYaml(header: string, contents: Record<string, unknown>): string {
  const doc = new Document();
  doc.contents = toNode(doc, contents);
  doc.commentBefore = commentText(header);
  return doc.toString({ lineWidth: 0, flowCollectionPadding: false, nullStr: '' });
}
