import { TextDecoder } from 'node:util';

/** The office formats (Word, Excel, PowerPoint): OOXML files are ZIP archives, the older ones OLE compound files. */
const OOXML_TYPES = new Set([
  'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
  'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
  'application/vnd.openxmlformats-officedocument.presentationml.presentation',
]);
const OLE_TYPES = new Set(['application/msword', 'application/vnd.ms-excel', 'application/vnd.ms-powerpoint']);

/** Every type an evidence file may be stored as. */
export const ALLOWED_EVIDENCE_TYPES: readonly string[] = [
  'application/pdf',
  'image/png',
  'image/jpeg',
  'text/plain',
  'text/csv',
  'application/json',
  'application/zip',
  ...OOXML_TYPES,
  ...OLE_TYPES,
];

const startsWith = (content: Buffer, magic: readonly number[]): boolean => content.length >= magic.length && magic.every((b, i) => content[i] === b);

const PDF = [0x25, 0x50, 0x44, 0x46, 0x2d]; // %PDF-
const PNG = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];
const JPEG = [0xff, 0xd8, 0xff];
const ZIP = [0x50, 0x4b, 0x03, 0x04];
const EMPTY_ZIP = [0x50, 0x4b, 0x05, 0x06];
const OLE = [0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1];

const utf8 = new TextDecoder('utf-8', { fatal: true });

/** Control bytes that text does not hold (all but tab, line feed, form feed, carriage return; and DEL). */
const isBinaryControl = (b: number): boolean => (b < 0x20 && b !== 0x09 && b !== 0x0a && b !== 0x0c && b !== 0x0d) || b === 0x7f;

function asText(content: Buffer): string | undefined {
  if (content.some(isBinaryControl)) return undefined;
  try {
    return utf8.decode(content);
  } catch {
    return undefined;
  }
}

/** The media type without parameters, lower case: "Text/CSV; charset=utf-8" is text/csv. */
export function bareType(declared: string | undefined): string | undefined {
  const bare = declared?.split(';')[0]?.trim().toLowerCase();
  return bare === '' ? undefined : bare;
}

/**
 * What the bytes are, among the allowed types, or undefined when they are none of them. Binary formats
 * are known by their leading bytes whatever the client declared; a ZIP or OLE file may be the office
 * document the client says it is (its container is all a cheap look can tell); text is UTF-8 without
 * control bytes, CSV or JSON when declared so (JSON only when it parses), plain text otherwise.
 */
export function sniffContentType(content: Buffer, declared: string | undefined): string | undefined {
  const claimed = bareType(declared);
  if (startsWith(content, PDF)) return 'application/pdf';
  if (startsWith(content, PNG)) return 'image/png';
  if (startsWith(content, JPEG)) return 'image/jpeg';
  if (startsWith(content, ZIP) || startsWith(content, EMPTY_ZIP)) return claimed !== undefined && OOXML_TYPES.has(claimed) ? claimed : 'application/zip';
  if (startsWith(content, OLE)) return claimed !== undefined && OLE_TYPES.has(claimed) ? claimed : undefined;
  const text = asText(content);
  if (text === undefined) return undefined;
  if (claimed === 'application/json') {
    try {
      JSON.parse(text);
      return 'application/json';
    } catch {
      return undefined;
    }
  }
  return claimed === 'text/csv' ? 'text/csv' : 'text/plain';
}
