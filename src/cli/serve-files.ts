import { randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** The largest bundle a browser may upload. Bundles are zips of JSON: a month of history fits in a few MiB. */
export const MAX_BUNDLE_UPLOAD_BYTES = 32 * 1024 * 1024;
/** An export not downloaded within this time is deleted. */
export const DOWNLOAD_TTL_MS = 10 * 60_000;

interface Download {
  path: string;
  dir: string;
  fileName: string;
  timer: NodeJS.Timeout;
}

/**
 * The files `serve` handles for a browser, in a private temp folder removed on close: an uploaded
 * bundle lives only while it is read; an export waits, once, for its download.
 */
export class ServeFiles {
  private readonly downloads = new Map<string, Download>();

  /** The private folder everything lives in; removed by `close`. */
  private constructor(readonly dir: string) {}

  static async create(): Promise<ServeFiles> {
    return new ServeFiles(await mkdtemp(join(tmpdir(), 'rtc-triage-serve-')));
  }

  /** Writes uploaded bytes to a file of their own; `remove` deletes it. */
  async saveUpload(bytes: Buffer): Promise<{ path: string; remove: () => Promise<void> }> {
    const path = join(this.dir, `upload-${randomBytes(8).toString('hex')}.zip`);
    await writeFile(path, bytes, { mode: 0o600, flag: 'wx' });
    return { path, remove: () => rm(path, { force: true }) };
  }

  /** A path to write an export to, and the URL it will be downloaded from. */
  async reserveDownload(fileName: string): Promise<{ path: string; download: string }> {
    const id = randomBytes(16).toString('hex');
    const dir = join(this.dir, `download-${id}`);
    await mkdir(dir, { mode: 0o700 });
    const timer = setTimeout(() => void this.discard(id), DOWNLOAD_TTL_MS);
    timer.unref();
    const path = join(dir, fileName);
    this.downloads.set(id, { path, dir, fileName, timer });
    return { path, download: `/api/download/${id}` };
  }

  /** Hands a download over once: the caller streams `path`, then calls `done`. */
  take(id: string): { path: string; fileName: string; done: () => Promise<void> } | null {
    const entry = this.downloads.get(id);
    if (!entry) return null;
    this.downloads.delete(id);
    clearTimeout(entry.timer);
    return {
      path: entry.path,
      fileName: entry.fileName,
      done: () => rm(entry.dir, { recursive: true, force: true }),
    };
  }

  private async discard(id: string): Promise<void> {
    await this.take(id)?.done();
  }

  async close(): Promise<void> {
    for (const entry of this.downloads.values()) clearTimeout(entry.timer);
    this.downloads.clear();
    await rm(this.dir, { recursive: true, force: true });
  }
}
