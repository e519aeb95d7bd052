/**
 * A small XML writer for the feeds: a document is built as a tree and serialised in one place, where
 * every text and attribute value is escaped. No markup is ever concatenated by hand, so a reason
 * typed by a director cannot break out of its element.
 */
export interface XmlElement {
  readonly name: string;
  readonly attributes: Readonly<Record<string, string>>;
  readonly children: readonly XmlNode[];
}
export type XmlNode = XmlElement | string;

const NAME = /^[A-Za-z_][A-Za-z0-9._-]*(:[A-Za-z_][A-Za-z0-9._-]*)?$/;
/** Characters XML 1.0 does not allow at all, not even escaped: dropped rather than emitted. */
const NOT_XML = /[^\t\n\r\x20-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/gu;

/** An element; names come from this code, never from input, and are checked all the same. */
export function element(name: string, attributes: Record<string, string | undefined> = {}, ...children: (XmlNode | undefined)[]): XmlElement {
  for (const n of [name, ...Object.keys(attributes)]) {
    if (!NAME.test(n)) throw new Error(`Not an XML name: ${JSON.stringify(n)}`);
  }
  const kept: Record<string, string> = {};
  for (const [key, value] of Object.entries(attributes)) if (value !== undefined) kept[key] = value;
  return { name, attributes: kept, children: children.filter((c): c is XmlNode => c !== undefined) };
}

export function escapeXmlText(text: string): string {
  return text.replace(NOT_XML, '').replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** Inside double quotes: quotes escaped, and line breaks and tabs as references so attribute normalisation keeps them. */
export function escapeXmlAttribute(text: string): string {
  return escapeXmlText(text).replace(/"/g, '&quot;').replace(/\t/g, '&#9;').replace(/\n/g, '&#10;').replace(/\r/g, '&#13;');
}

function serialise(node: XmlNode, indent: string): string {
  if (typeof node === 'string') return escapeXmlText(node);
  const attributes = Object.entries(node.attributes)
    .map(([key, value]) => ` ${key}="${escapeXmlAttribute(value)}"`)
    .join('');
  if (node.children.length === 0) return `<${node.name}${attributes}/>`;
  // Elements that hold only text keep it on their line; the others put each child on its own.
  if (node.children.every((c) => typeof c === 'string')) return `<${node.name}${attributes}>${node.children.map((c) => serialise(c, indent)).join('')}</${node.name}>`;
  const inner = `${indent}  `;
  return `<${node.name}${attributes}>\n${node.children.map((c) => `${inner}${serialise(c, inner)}`).join('\n')}\n${indent}</${node.name}>`;
}

export function xmlDocument(root: XmlElement): string {
  return `<?xml version="1.0" encoding="utf-8"?>\n${serialise(root, '')}\n`;
}
