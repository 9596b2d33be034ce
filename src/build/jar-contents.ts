import { open } from 'node:fs/promises';
import { mainAttribute, parseManifest } from '../jar/manifest.js';
import { openZip } from '../jar/zip.js';
import { type CentralEntry, entryAt, forEachEntry } from '../jar/zip-entries.js';
import { readEntry } from '../jar/zip-read.js';

/** JarMainFacts is what choosing among several JARs needs: the manifest's Main-Class and a class lookup. */
export interface JarMainFacts {
  /** Main-Class of the manifest, when it has one. */
  mainClass?: string;
  /** Whether the JAR holds the class file of `className` (dotted name). */
  hasClass(className: string): boolean;
}

const MAX_MANIFEST = 1024 * 1024;

/**
 * readJarMainFacts reads a JAR's entry names and manifest. A file that is not a readable zip gives
 * undefined: verify reports what is wrong with it if it is the one chosen.
 */
export async function readJarMainFacts(path: string): Promise<JarMainFacts | undefined> {
  let fh: Awaited<ReturnType<typeof open>> | undefined;
  try {
    fh = await open(path, 'r');
    const zip = await openZip(fh, (await fh.stat()).size);
    const names = new Set<string>();
    let manifest: CentralEntry | undefined;
    forEachEntry(zip, (e) => {
      const name = e.name;
      names.add(name);
      if (name.toUpperCase() === 'META-INF/MANIFEST.MF') manifest = entryAt(zip, e.recordOffset);
    });
    let mainClass: string | undefined;
    if (manifest)
      mainClass = mainAttribute(
        parseManifest(await readEntry(fh, zip, manifest, MAX_MANIFEST)),
        'Main-Class',
      );
    return {
      ...(mainClass ? { mainClass: mainClass.trim() } : {}),
      hasClass: (className) => names.has(`${className.replace(/\./g, '/')}.class`),
    };
  } catch {
    return undefined;
  } finally {
    await fh?.close();
  }
}
