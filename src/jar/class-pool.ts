// The constant pool of a class file (JVMS 4.4): which classes it names. CONSTANT_Class entries are what
// the JVM resolves when code runs (new, invokes, field accesses, casts, superclasses), so they are what a
// NoClassDefFoundError comes from; descriptors only name types and are used for evidence (which Scala a
// class was compiled against), never for the link check.

/** ClassPool is what one class file references. */
export interface ClassPool {
  /** The class itself (this_class), binary name with slashes. */
  thisClass: string;
  /** CONSTANT_Class names, array types reduced to their element class; primitives arrays dropped. */
  classes: string[];
  /** Object types named in field and method descriptors (NameAndType, MethodType). */
  descriptorTypes: string[];
}

const Tag = {
  utf8: 1,
  integer: 3,
  float: 4,
  long: 5,
  double: 6,
  class: 7,
  string: 8,
  fieldref: 9,
  methodref: 10,
  interfaceMethodref: 11,
  nameAndType: 12,
  methodHandle: 15,
  methodType: 16,
  dynamic: 17,
  invokeDynamic: 18,
  module: 19,
  package: 20,
} as const;

/** Element class of an array descriptor ([[Lfoo/Bar; -> foo/Bar), the name itself if not an array. */
export function elementClass(name: string): string | undefined {
  if (name[0] !== '[') return name;
  let i = 0;
  while (name[i] === '[') i++;
  if (name[i] !== 'L' || !name.endsWith(';')) return undefined;
  return name.slice(i + 1, -1);
}

/** Object types in a field or method descriptor: (Lfoo/A;[I)Lbar/B; -> foo/A, bar/B. */
export function descriptorTypes(descriptor: string, into: string[]): void {
  for (let i = descriptor.indexOf('L'); i >= 0; i = descriptor.indexOf('L', i)) {
    const end = descriptor.indexOf(';', i);
    if (end < 0) return;
    into.push(descriptor.slice(i + 1, end));
    i = end + 1;
  }
}

/** parseClassPool reads the constant pool and this_class of a class file, or returns why it cannot. */
export function parseClassPool(bytes: Uint8Array): ClassPool | { error: string } {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const len = bytes.length;
  if (len < 10 || view.getUint32(0) !== 0xcafebabe) return { error: 'not a class file' };
  const count = view.getUint16(8);
  // Offsets of the Utf8 entries' lengths, by pool index; class and descriptor references by index.
  const utf8At = new Int32Array(count).fill(-1);
  /** Pairs of (pool index of a Class entry, index of its name). */
  const classRefs: number[] = [];
  const descRefs: number[] = [];
  let p = 10;
  for (let i = 1; i < count; i++) {
    if (p >= len) return { error: 'the constant pool is cut off' };
    const tag = bytes[p] as number;
    switch (tag) {
      case Tag.utf8:
        if (p + 3 > len) return { error: 'the constant pool is cut off' };
        utf8At[i] = p + 1;
        p += 3 + view.getUint16(p + 1);
        break;
      case Tag.class:
        if (p + 3 > len) return { error: 'the constant pool is cut off' };
        classRefs.push(i, view.getUint16(p + 1));
        p += 3;
        break;
      case Tag.nameAndType:
        if (p + 5 > len) return { error: 'the constant pool is cut off' };
        descRefs.push(view.getUint16(p + 3));
        p += 5;
        break;
      case Tag.methodType:
        if (p + 3 > len) return { error: 'the constant pool is cut off' };
        descRefs.push(view.getUint16(p + 1));
        p += 3;
        break;
      case Tag.string:
      case Tag.module:
      case Tag.package:
        p += 3;
        break;
      case Tag.methodHandle:
        p += 4;
        break;
      case Tag.integer:
      case Tag.float:
      case Tag.fieldref:
      case Tag.methodref:
      case Tag.interfaceMethodref:
      case Tag.dynamic:
      case Tag.invokeDynamic:
        p += 5;
        break;
      case Tag.long:
      case Tag.double:
        p += 9;
        i++;
        break;
      default:
        return { error: `unknown constant-pool tag ${tag} at byte ${p}` };
    }
  }
  if (p + 6 > len) return { error: 'the class file is cut off after the constant pool' };
  const decoder = new TextDecoder();
  const utf8 = (index: number): string | undefined => {
    const at = index < count ? (utf8At[index] as number) : -1;
    if (at < 0) return undefined;
    const n = view.getUint16(at);
    // Class names are ASCII in practice; modified UTF-8 differs from UTF-8 only for NUL and supplementary
    // characters, which do not occur in names a build tool writes.
    return decoder.decode(bytes.subarray(at + 2, Math.min(len, at + 2 + n)));
  };
  const thisIndex = view.getUint16(p + 2);
  let thisClass = '';
  const classes: string[] = [];
  for (let k = 0; k < classRefs.length; k += 2) {
    const name = utf8(classRefs[k + 1] as number);
    if (name === undefined) continue;
    if (classRefs[k] === thisIndex) thisClass = name;
    const el = elementClass(name);
    if (el !== undefined) classes.push(el);
  }
  const types: string[] = [];
  for (const d of descRefs) {
    const s = utf8(d);
    if (s) descriptorTypes(s, types);
  }
  return { thisClass, classes, descriptorTypes: types };
}
