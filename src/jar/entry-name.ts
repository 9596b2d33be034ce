// Entry names are bytes. Most are ASCII (every class file of a JVM project), so decoding takes a latin1
// fast path; otherwise flag bit 11 means UTF-8 and its absence means IBM code page 437 (APPNOTE 4.4.4).
import { isUtf8 } from 'node:buffer';

const CP437_HIGH =
  'ÇüéâäàåçêëèïîìÄÅÉæÆôöòûùÿÖÜ¢£¥₧ƒáíóúñÑªº¿⌐¬½¼¡«»░▒▓│┤╡╢╖╕╣║╗╝╜╛┐└┴┬├─┼╞╟╚╔╩╦╠═╬╧╨╤╥╙╘╒╓╫╪┘┌█▄▌▐▀αßΓπΣσµτΦΘΩδ∞φε∩≡±≥≤⌠⌡÷≈°∙·√ⁿ²■\u00a0';

/** isAscii tells whether bytes [start, end) of buf are all below 0x80. */
export function isAscii(buf: Uint8Array, start: number, end: number): boolean {
  for (let i = start; i < end; i++) if ((buf[i] as number) >= 0x80) return false;
  return true;
}

/** decodeEntryName decodes the name bytes [start, end): ASCII fast path, UTF-8 when utf8Flag, else CP437. */
export function decodeEntryName(buf: Buffer, start: number, end: number, utf8Flag: boolean): string {
  if (isAscii(buf, start, end)) return buf.toString('latin1', start, end);
  if (utf8Flag) return buf.toString('utf8', start, end);
  let out = '';
  for (let i = start; i < end; i++) {
    const b = buf[i] as number;
    out += b < 0x80 ? String.fromCharCode(b) : CP437_HIGH[b - 0x80];
  }
  return out;
}

/** isValidUtf8Name tells whether the name bytes [start, end) are valid UTF-8, as Java requires of JAR names. */
export function isValidUtf8Name(buf: Buffer, start: number, end: number): boolean {
  return isAscii(buf, start, end) || isUtf8(buf.subarray(start, end));
}
