import { element, xmlDocument } from '../../ui/xml';
import { childText, readXml } from '../support/xml-reader';

const HOSTILE = `Breach <under> "investigation" & 'more' ]]> </summary><script>x</script> &amp; tab\there\nline\u0000\u0007 \u{1F600}`;

describe('the XML writer', () => {
  it('escapes any text and attribute value, so it reads back exactly, less the characters XML forbids', () => {
    const doc = xmlDocument(element('feed', { xmlns: 'http://www.w3.org/2005/Atom', title: HOSTILE }, element('summary', {}, HOSTILE)));
    const tree = readXml(doc);
    const expected = HOSTILE.split('\u0000').join('').split('\u0007').join('');
    expect(childText(tree, 'summary')).toBe(expected);
    expect(tree.attributes.title).toBe(expected);
    expect(doc).not.toContain('<script>');
  });

  it('leaves out undefined attributes and children, and writes an empty element as self-closing', () => {
    expect(xmlDocument(element('a', { href: undefined, rel: 'self' }, undefined, element('b')))).toBe(
      '<?xml version="1.0" encoding="utf-8"?>\n<a rel="self">\n  <b/>\n</a>\n',
    );
  });

  it('refuses an element or attribute name that is not an XML name', () => {
    expect(() => element('a b')).toThrow('Not an XML name');
    expect(() => element('a', { 'on"x': '1' })).toThrow('Not an XML name');
  });
});

describe('the strict XML reader the tests use', () => {
  it.each([
    ['an unclosed element', '<a><b></a>'],
    ['crossed elements', '<a><b></a></b>'],
    ['an unescaped <', '<a>1 < 2</a>'],
    ['a bare &', '<a>Q&A</a>'],
    ['an unknown entity', '<a>&nbsp;</a>'],
    ['an unquoted attribute', '<a b=c/>'],
    ['a repeated attribute', '<a b="1" b="2"/>'],
    ['two roots', '<a/><b/>'],
    ['text outside the root', '<a/>text'],
    ['a forbidden character', '<a>\u0001</a>'],
  ])('refuses %s', (_what, source) => {
    expect(() => readXml(source)).toThrow();
  });
});
