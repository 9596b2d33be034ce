// The class-file header: magic, minor and major version (JVMS 4.1). The major version decides which Java
// runtimes can load the class; a newer one fails with UnsupportedClassVersionError.

/** ClassHeader is the first 8 bytes of a class file, decoded. */
export interface ClassHeader {
  major: number;
  minor: number;
  /** Java release the major version belongs to (52 -> 8, 61 -> 17, 65 -> 21). */
  release: number;
  /** Compiled with --enable-preview: runs only on exactly that release, with the same flag. */
  preview: boolean;
}

const MAGIC = 0xcafebabe;
/** Major version 45 is Java 1.0/1.1; 49 is Java 5; from there one major per release. */
const FIRST_MAJOR = 45;

/** javaReleaseForMajor maps a class-file major version to its Java release (52 -> 8, 65 -> 21; 48 -> 4, i.e. 1.4). */
export function javaReleaseForMajor(major: number): number {
  return major - 44;
}

/** majorForJavaRelease maps a Java release to its class-file major version (8 -> 52, 21 -> 65). */
export function majorForJavaRelease(release: number): number {
  return release + 44;
}

/** parseClassHeader decodes the first 8 bytes of a class file, or returns why they are not one. */
export function parseClassHeader(head: Uint8Array): ClassHeader | { error: string } {
  if (head.length < 8) return { error: `it is ${head.length} bytes long, shorter than a class-file header` };
  const view = new DataView(head.buffer, head.byteOffset, 8);
  const magic = view.getUint32(0);
  if (magic !== MAGIC) {
    return {
      error: `it starts with 0x${magic.toString(16).padStart(8, '0')}, not the class-file magic 0xcafebabe`,
    };
  }
  const minor = view.getUint16(4);
  const major = view.getUint16(6);
  if (major < FIRST_MAJOR) return { error: `its class-file version ${major} is not a valid Java version` };
  return { major, minor, release: javaReleaseForMajor(major), preview: major >= 56 && minor === 0xffff };
}
