// Opens an in-memory zip with the reader, through a temp file (the reader works on file handles).
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openZip, type ZipArchive } from '../../../src/jar/zip.js';

/** openZipBuffer writes bytes to a temp file, opens them as a zip, and removes the file again. */
export async function openZipBuffer(bytes: Buffer): Promise<ZipArchive> {
  const dir = mkdtempSync(join(tmpdir(), 'zip-buffer-'));
  const path = join(dir, 'z.zip');
  writeFileSync(path, bytes);
  const fh = await open(path);
  try {
    return await openZip(fh, bytes.length);
  } finally {
    await fh.close();
    rmSync(dir, { recursive: true, force: true });
  }
}
