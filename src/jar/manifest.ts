// A JAR manifest parser that reads what java.util.jar.Manifest reads and rejects what it rejects (checked
// against JDK 17): line ends CR LF, LF or CR; a line starting with one space continues the previous value
// (writers wrap at 72 bytes, possibly inside a UTF-8 character, so values are joined as bytes); attribute
// names compare without case; a last line with no line end is silently ignored by Java.

/** ManifestAttribute is one `Name: value` header. */
export interface ManifestAttribute {
  name: string;
  value: string;
  /** 1-based line of the header's first line. */
  line: number;
}

/** ManifestSection is an individual section (`Name: path` and its attributes). */
export interface ManifestSection {
  name: string;
  line: number;
  attributes: ManifestAttribute[];
}

/** Manifest is a parsed META-INF/MANIFEST.MF. */
export interface Manifest {
  /** Main-section attributes in order, duplicates included (Java keeps the last). */
  main: ManifestAttribute[];
  sections: ManifestSection[];
  /** The first problem that makes java.util.jar.Manifest throw; parsing stops there as Java does. */
  error?: { line: number; message: string };
  /** A last line without a line end, which Java ignores (with any header it continued). */
  ignoredLastLine?: { line: number; text: string };
}

/** Java reads manifest lines into a 512-byte buffer: 511 bytes plus the line end. */
const MAX_LINE = 511;
const NAME_RE = /^[A-Za-z0-9_-]{1,70}$/;
const utf8 = new TextDecoder('utf-8');

interface Line {
  start: number;
  end: number;
  terminated: boolean;
}

function splitLines(b: Uint8Array): Line[] {
  const lines: Line[] = [];
  let start = 0;
  for (let i = 0; i < b.length; i++) {
    const c = b[i];
    if (c !== 0x0a && c !== 0x0d) continue;
    lines.push({ start, end: i, terminated: true });
    if (c === 0x0d && b[i + 1] === 0x0a) i++;
    start = i + 1;
  }
  if (start < b.length) lines.push({ start, end: b.length, terminated: false });
  return lines;
}

interface Header {
  /** Attribute name, or undefined for the `Name:` header that opens a section. */
  name: string | undefined;
  parts: Uint8Array[];
  line: number;
}

/** parseManifest parses manifest bytes with the rules of java.util.jar.Manifest. */
export function parseManifest(bytes: Uint8Array): Manifest {
  const manifest: Manifest = { main: [], sections: [] };
  const lines = splitLines(bytes);
  let block = manifest.main;
  let state: 'main' | 'between' | 'section' = 'main';
  let header: Header | undefined;
  const flush = () => {
    if (!header) return;
    const value = utf8.decode(header.parts.length === 1 ? header.parts[0] : Buffer.concat(header.parts));
    if (header.name === undefined) {
      const section: ManifestSection = { name: value, line: header.line, attributes: [] };
      manifest.sections.push(section);
      block = section.attributes;
    } else {
      block.push({ name: header.name, value, line: header.line });
    }
    header = undefined;
  };
  const fail = (line: number, message: string): Manifest => {
    manifest.error = { line, message };
    return manifest;
  };

  for (const [i, l] of lines.entries()) {
    const line = i + 1;
    if (l.end - l.start > MAX_LINE) {
      return fail(line, `line too long (${l.end - l.start} bytes; Java reads at most ${MAX_LINE})`);
    }
    if (!l.terminated) {
      // Java never reads an unterminated last line, nor a header it would have continued.
      manifest.ignoredLastLine = { line, text: utf8.decode(bytes.subarray(l.start, l.end)) };
      if (bytes[l.start] === 0x20) header = undefined;
      break;
    }
    if (l.end === l.start) {
      flush();
      state = 'between';
      continue;
    }
    if (bytes[l.start] === 0x20) {
      if (state === 'between')
        return fail(line, 'invalid manifest format (a section must start with "Name: ")');
      if (!header) return fail(line, 'misplaced continuation line');
      header.parts.push(bytes.subarray(l.start + 1, l.end));
      continue;
    }
    flush();
    if (state === 'between') {
      if (!/^name: /i.test(Buffer.from(bytes.subarray(l.start, l.start + 6)).toString('latin1'))) {
        return fail(line, 'invalid manifest format (a section must start with "Name: ")');
      }
      header = { name: undefined, parts: [bytes.subarray(l.start + 6, l.end)], line };
      state = 'section';
      continue;
    }
    const colon = bytes.indexOf(0x3a, l.start);
    if (colon < 0 || colon + 1 >= l.end || bytes[colon + 1] !== 0x20) {
      return fail(line, 'invalid header field (expected "Name: value")');
    }
    const name = utf8.decode(bytes.subarray(l.start, colon));
    if (!NAME_RE.test(name)) return fail(line, `invalid header field name: ${name}`);
    header = { name, parts: [bytes.subarray(colon + 2, l.end)], line };
  }
  flush();
  return manifest;
}

/** mainAttribute returns a main-section attribute by name, without case; the last one wins, as in Java. */
export function mainAttribute(m: Manifest, name: string): string | undefined {
  const want = name.toLowerCase();
  for (let i = m.main.length - 1; i >= 0; i--) {
    const a = m.main[i] as ManifestAttribute;
    if (a.name.toLowerCase() === want) return a.value;
  }
  return undefined;
}
