/**
 * A strict reader of the XML this project writes, for tests: it refuses anything that is not
 * well-formed (unclosed or crossed elements, an unescaped < or &, an unknown entity, an unquoted or
 * repeated attribute, characters XML forbids, text outside the root) and gives back the tree. It
 * knows no DOCTYPE, comments or CDATA, which the writer never emits: meeting one is an error too.
 */
export interface XmlTree {
  name: string;
  attributes: Record<string, string>;
  children: XmlTree[];
  /** The element's own text, entities resolved. */
  text: string;
}

const NAME = /^[A-Za-z_][A-Za-z0-9._-]*(:[A-Za-z_][A-Za-z0-9._-]*)?/;
const ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };
const FORBIDDEN = /[^\t\n\r\x20-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/u;

function resolve(raw: string, where: number): string {
  if (raw.includes('<')) throw new Error(`unescaped < at ${where}`);
  return raw.replace(/&([^;]*);|&/g, (match: string, name: string | undefined) => {
    if (name === undefined) throw new Error(`bare & at ${where}`);
    if (name in ENTITIES) return ENTITIES[name] as string;
    const code = /^#x([0-9a-fA-F]+)$/.exec(name)?.[1] ?? /^#([0-9]+)$/.exec(name)?.[1];
    if (code === undefined) throw new Error(`unknown entity ${match} at ${where}`);
    const char = String.fromCodePoint(Number.parseInt(code, name.startsWith('#x') ? 16 : 10));
    if (FORBIDDEN.test(char)) throw new Error(`reference to a forbidden character ${match} at ${where}`);
    return char;
  });
}

export function readXml(source: string): XmlTree {
  if (FORBIDDEN.test(source)) throw new Error('a character XML forbids');
  let at = 0;
  const declaration = /^<\?xml version="1\.0" encoding="utf-8"\?>/.exec(source);
  if (declaration) at = declaration[0].length;
  const stack: XmlTree[] = [];
  let root: XmlTree | undefined;
  while (at < source.length) {
    const lt = source.indexOf('<', at);
    const text = source.slice(at, lt < 0 ? source.length : lt);
    const top = stack[stack.length - 1];
    if (top) top.text += resolve(text, at);
    else if (text.trim() !== '') throw new Error(`text outside the root element at ${at}`);
    if (lt < 0) break;
    at = lt + 1;
    if (source[at] === '/') {
      const name = NAME.exec(source.slice(at + 1))?.[0];
      const open = stack.pop();
      if (name === undefined || open?.name !== name) throw new Error(`</${name ?? '?'}> at ${lt} does not close <${open?.name ?? 'nothing'}>`);
      at += 1 + name.length;
      while (/\s/.test(source[at] ?? '')) at += 1;
      if (source[at] !== '>') throw new Error(`malformed end tag at ${lt}`);
      at += 1;
      continue;
    }
    const name = NAME.exec(source.slice(at))?.[0];
    if (name === undefined) throw new Error(`not a start tag at ${lt}`);
    if (root !== undefined && stack.length === 0) throw new Error(`a second root element at ${lt}`);
    const node: XmlTree = { name, attributes: {}, children: [], text: '' };
    at += name.length;
    for (;;) {
      const space = /^\s*/.exec(source.slice(at))?.[0] ?? '';
      at += space.length;
      if (source.startsWith('/>', at) || source[at] === '>') break;
      if (space === '') throw new Error(`attributes not separated at ${at}`);
      const attribute = /^([A-Za-z_][A-Za-z0-9._:-]*)\s*=\s*"([^"]*)"/.exec(source.slice(at));
      if (!attribute) throw new Error(`malformed attribute at ${at}`);
      const [whole, key, value] = attribute as unknown as [string, string, string];
      if (key in node.attributes) throw new Error(`attribute ${key} repeated at ${at}`);
      node.attributes[key] = resolve(value, at);
      at += whole.length;
    }
    const parent = stack[stack.length - 1];
    if (parent) parent.children.push(node);
    else root = node;
    if (source.startsWith('/>', at)) at += 2;
    else {
      at += 1;
      stack.push(node);
    }
  }
  if (stack.length > 0) throw new Error(`<${stack[stack.length - 1]?.name}> is never closed`);
  if (root === undefined) throw new Error('no root element');
  return root;
}

/** The children of `node` named `name`. */
export const childrenNamed = (node: XmlTree, name: string): XmlTree[] => node.children.filter((c) => c.name === name);

/** The text of the one child named `name`. */
export function childText(node: XmlTree, name: string): string {
  const found = childrenNamed(node, name);
  if (found.length !== 1) throw new Error(`${node.name} has ${found.length} <${name}>`);
  return (found[0] as XmlTree).text;
}
