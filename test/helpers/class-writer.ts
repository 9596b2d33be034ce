// Class files with a real constant pool, for the verify rules that read references: this_class,
// super_class java/lang/Object, one CONSTANT_Class per reference and, optionally, method descriptors
// (NameAndType) that name types. No fields, methods or attributes: enough for a parser, not for a JVM.
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';

/** classWithRefs writes a class file named name (slashes) that references the given classes. */
export function classWithRefs(
  name: string,
  refs: string[],
  opts: { major?: number; descriptors?: string[] } = {},
): Buffer {
  const pool: Buffer[] = [];
  let next = 1;
  const utf8 = (s: string): number => {
    const b = Buffer.from(s, 'utf8');
    const e = Buffer.alloc(3 + b.length);
    e[0] = 1;
    e.writeUInt16BE(b.length, 1);
    b.copy(e, 3);
    pool.push(e);
    return next++;
  };
  const cls = (s: string): number => {
    const n = utf8(s);
    const e = Buffer.alloc(3);
    e[0] = 7;
    e.writeUInt16BE(n, 1);
    pool.push(e);
    return next++;
  };
  const self = cls(name);
  const sup = cls('java/lang/Object');
  for (const r of refs) cls(r);
  for (const d of opts.descriptors ?? []) {
    const n = utf8('m');
    const t = utf8(d);
    const e = Buffer.alloc(5);
    e[0] = 12;
    e.writeUInt16BE(n, 1);
    e.writeUInt16BE(t, 3);
    pool.push(e);
    next++;
  }
  const head = Buffer.alloc(10);
  head.writeUInt32BE(0xcafebabe, 0);
  head.writeUInt16BE(0, 4);
  head.writeUInt16BE(opts.major ?? 52, 6);
  head.writeUInt16BE(next, 8);
  const tail = Buffer.alloc(14);
  tail.writeUInt16BE(0x21, 0);
  tail.writeUInt16BE(self, 2);
  tail.writeUInt16BE(sup, 4);
  return Buffer.concat([head, ...pool, tail]);
}

/** javacAvailable tells whether a JDK compiler is on PATH. */
export function javacAvailable(): boolean {
  return spawnSync('javac', ['-version'], { stdio: 'ignore' }).status === 0;
}

/**
 * compileJava compiles Java sources ({ 'com/acme/Main.java': '…' }) with javac --release and returns the
 * class files by entry name (com/acme/Main.class).
 */
export function compileJava(sources: Record<string, string>, release = 8): Map<string, Buffer> {
  const dir = mkdtempSync(join(tmpdir(), 'javac-'));
  try {
    const src = join(dir, 'src');
    const out = join(dir, 'out');
    const files: string[] = [];
    for (const [path, text] of Object.entries(sources)) {
      const file = join(src, path);
      mkdirSync(dirname(file), { recursive: true });
      writeFileSync(file, text);
      files.push(file);
    }
    execFileSync('javac', ['--release', String(release), '-nowarn', '-d', out, ...files], { stdio: 'pipe' });
    const classes = new Map<string, Buffer>();
    const walk = (d: string) => {
      for (const f of readdirSync(d)) {
        const p = join(d, f);
        if (statSync(p).isDirectory()) walk(p);
        else classes.set(relative(out, p).split('\\').join('/'), readFileSync(p));
      }
    };
    walk(out);
    return classes;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
