// Looking classes up in the JAR by binary name and reading their constant pools, for the rules that follow
// references (link check, Scala version). Reads are bounded per class and overall by a deadline.
import type { FileHandle } from 'node:fs/promises';
import { type ClassPool, parseClassPool } from './class-pool.js';
import type { JarScan } from './scan.js';
import type { ZipArchive } from './zip.js';
import { entryAt } from './zip-entries.js';
import { readEntry } from './zip-read.js';

/** Larger class files exist (generated code) but their references are not worth the read. */
const MAX_CLASS_BYTES = 4 * 1024 * 1024;

/** JarClasses finds and parses the classes of one open JAR. */
export class JarClasses {
  private readonly cache = new Map<string, ClassPool | null>();
  /** Multi-release directories (META-INF/versions/N) the runtime reads, highest first. */
  private readonly versions: number[];

  constructor(
    private readonly fh: FileHandle,
    private readonly zip: ZipArchive,
    private readonly scan: JarScan,
    javaRelease: number,
  ) {
    this.versions = [];
    for (let n = javaRelease; n >= 9; n--) this.versions.push(n);
  }

  /** record returns the central-directory offset of the class's entry (multi-release aware), or -1. */
  record(name: string): number {
    const found = this.scan.index.find(Buffer.from(`${name}.class`, 'utf8'));
    if (found >= 0) return found;
    for (const n of this.versions) {
      const v = this.scan.index.find(Buffer.from(`META-INF/versions/${n}/${name}.class`, 'utf8'));
      if (v >= 0) return v;
    }
    return -1;
  }

  /** has tells whether the JAR holds the class (binary name with slashes). */
  has(name: string): boolean {
    return this.record(name) >= 0;
  }

  /** pool reads and parses the class; undefined when it is absent, unreadable or not a class file. */
  async pool(name: string): Promise<ClassPool | undefined> {
    const cached = this.cache.get(name);
    if (cached !== undefined) return cached ?? undefined;
    let result: ClassPool | null = null;
    const rec = this.record(name);
    if (rec >= 0) {
      const entry = entryAt(this.zip, rec);
      if (!entry.isEncrypted && (entry.method === 0 || entry.method === 8) && entry.size <= MAX_CLASS_BYTES) {
        try {
          const parsed = parseClassPool(await readEntry(this.fh, this.zip, entry, MAX_CLASS_BYTES));
          if (!('error' in parsed)) result = parsed;
        } catch {
          // A damaged entry: the JAR-level rules report damage; here it just has no references.
        }
      }
    }
    this.cache.set(name, result);
    return result ?? undefined;
  }
}

/**
 * appPrefix is the package prefix taken as the application's own code: the main class's first two package
 * segments (com/acme for com.acme.etl.Main), or its whole package when shorter.
 */
export function appPrefix(mainClass: string): string {
  const parts = mainClass.split('/');
  parts.pop();
  return parts.length === 0 ? '' : `${parts.slice(0, Math.min(2, parts.length)).join('/')}/`;
}
