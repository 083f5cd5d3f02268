import { open as openZip, type Entry, type ZipFile } from 'yauzl';
import { TriageError } from '../errors';

/** Limits on what a bundle may make us read. A real bundle is a dozen entries and a few MiB. */
export interface ZipLimits {
  maxEntries: number;
  maxEntryBytes: number;
  maxTotalBytes: number;
  /** Uncompressed / compressed, checked for entries over `ratioFloorBytes` (tiny files compress absurdly well). */
  maxRatio: number;
  ratioFloorBytes: number;
}

export const DEFAULT_ZIP_LIMITS: ZipLimits = {
  maxEntries: 64,
  maxEntryBytes: 64 * 1024 * 1024,
  maxTotalBytes: 256 * 1024 * 1024,
  maxRatio: 200,
  ratioFloorBytes: 1024 * 1024,
};

/** A bundle that cannot be read: one plain message; `field` names the entry to blame. */
export class BundleError extends TriageError {
  constructor(file: string, reason: string, entry?: string) {
    super(
      'ARGUMENT_INVALID',
      `${file} is not a valid RTC Triage bundle: ${reason}`,
      entry ? { field: entry } : {},
    );
    this.name = 'BundleError';
  }
}

const S_IFMT = 0o170000;
const S_IFREG = 0o100000;
const S_IFDIR = 0o040000;
const DOS_DIRECTORY = 0x10;

/**
 * Why an entry name is refused, or null. Names are compared, never joined onto a real directory:
 * nothing is extracted, but a bundle that tries to escape one is hostile and refused whole.
 */
export function unsafeEntryName(name: string): string | null {
  if (name.length === 0 || name.length > 255) return 'an empty or overlong name';
  if (name.includes('\0')) return 'a NUL byte in a name';
  if (name.includes('\\')) return 'a backslash in a name';
  if (name.startsWith('/') || /^[A-Za-z]:/.test(name)) return 'an absolute path';
  const segments = name.replace(/\/$/, '').split('/');
  if (segments.some((s) => s === '..')) return 'a ".." path segment';
  if (segments.some((s) => s === '' || s === '.')) return 'an empty or "." path segment';
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f]/.test(name)) return 'a control character in a name';
  return null;
}

function entryKind(entry: Entry, name: string): 'file' | 'directory' | 'other' {
  const unixMode = (entry.externalFileAttributes >>> 16) & S_IFMT;
  const isDirName = name.endsWith('/');
  if (unixMode !== 0 && unixMode !== S_IFREG && unixMode !== S_IFDIR) return 'other';
  if (unixMode === S_IFDIR || isDirName || (entry.externalFileAttributes & DOS_DIRECTORY) !== 0)
    return isDirName ? 'directory' : 'other';
  return 'file';
}

/**
 * Reads every regular file of a zip into memory, within `limits`, without writing anything to disk.
 * Any violation rejects the whole archive with a `BundleError`.
 */
export function readZipEntries(
  file: string,
  wanted: ReadonlySet<string>,
  limits: ZipLimits = DEFAULT_ZIP_LIMITS,
): Promise<Map<string, Buffer>> {
  return new Promise((resolve, reject) => {
    let zip: ZipFile | undefined;
    let settled = false;
    const fail = (reason: string, entry?: string) => {
      if (settled) return;
      settled = true;
      zip?.close();
      reject(new BundleError(file, reason, entry));
    };
    openZip(
      file,
      { lazyEntries: true, autoClose: false, decodeStrings: false, validateEntrySizes: true },
      (error, opened) => {
        if (error || !opened) {
          fail(zipReason(error));
          return;
        }
        zip = opened;
        if (zip.entryCount > limits.maxEntries) {
          fail(`it has ${zip.entryCount} entries (at most ${limits.maxEntries} are accepted)`);
          return;
        }
        const files = new Map<string, Buffer>();
        const seen = new Set<string>();
        let total = 0;
        zip.on('error', (e: Error) => fail(zipReason(e)));
        zip.on('end', () => {
          if (settled) return;
          settled = true;
          zip?.close();
          resolve(files);
        });
        zip.on('entry', (entry: Entry) => {
          try {
            onEntry(entry);
          } catch (e) {
            fail(`it cannot be read (${e instanceof Error ? e.message : String(e)})`);
          }
        });
        const onEntry = (entry: Entry): void => {
          // decodeStrings is off so yauzl never silently rewrites a name; decode and judge it ourselves.
          const name = (entry.fileNameRaw ?? Buffer.from(String(entry.fileName))).toString('utf8');
          const unsafe = unsafeEntryName(name);
          if (unsafe) return fail(`entry "${printable(name)}" has ${unsafe}`, name);
          const lower = name.toLowerCase();
          if (seen.has(lower)) return fail(`entry "${name}" appears twice`, name);
          seen.add(lower);
          const kind = entryKind(entry, name);
          if (kind === 'other') return fail(`entry "${name}" is a symbolic link or special file`, name);
          if ((entry.generalPurposeBitFlag & 0x1) !== 0) return fail(`entry "${name}" is encrypted`, name);
          if (entry.uncompressedSize > limits.maxEntryBytes)
            return fail(
              `entry "${name}" is ${entry.uncompressedSize} bytes (limit ${limits.maxEntryBytes})`,
              name,
            );
          total += entry.uncompressedSize;
          if (total > limits.maxTotalBytes)
            return fail(`its entries add up to more than ${limits.maxTotalBytes} bytes`, name);
          if (
            entry.uncompressedSize > limits.ratioFloorBytes &&
            entry.uncompressedSize > limits.maxRatio * Math.max(entry.compressedSize, 1)
          )
            return fail(
              `entry "${name}" expands ${Math.round(entry.uncompressedSize / Math.max(entry.compressedSize, 1))}x (a zip bomb?)`,
              name,
            );
          if (kind === 'directory' || !wanted.has(name)) {
            zip?.readEntry();
            return;
          }
          readEntry(zip as ZipFile, entry, name, limits.maxEntryBytes, (readError, data) => {
            if (readError || !data)
              return fail(`entry "${name}" cannot be read: ${zipReason(readError)}`, name);
            files.set(name, data);
            zip?.readEntry();
          });
        };
        zip.readEntry();
      },
    );
  });
}

/** Reads one entry, counting bytes as they come: a header that lies about its size cannot make us read more. */
function readEntry(
  zip: ZipFile,
  entry: Entry,
  name: string,
  maxBytes: number,
  done: (error: Error | null, data?: Buffer) => void,
): void {
  zip.openReadStream(entry, (error, stream) => {
    if (error || !stream) return done(error ?? new Error('no stream'));
    const chunks: Buffer[] = [];
    let size = 0;
    let finished = false;
    const finish = (e: Error | null, data?: Buffer) => {
      if (finished) return;
      finished = true;
      done(e, data);
    };
    stream.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > maxBytes || size > entry.uncompressedSize) {
        stream.destroy();
        finish(new Error(`more data than the ${entry.uncompressedSize} bytes declared for ${name}`));
        return;
      }
      chunks.push(chunk);
    });
    stream.on('error', (e: Error) => finish(e));
    stream.on('end', () => finish(null, Buffer.concat(chunks, size)));
  });
}

function zipReason(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error ?? 'unknown error');
  if (/end of central directory record signature not found/i.test(message))
    return 'it is not a zip file, or it is truncated';
  if (/ENOENT/.test(message)) return 'the file does not exist';
  return `the zip is damaged (${message})`;
}

function printable(name: string): string {
  // eslint-disable-next-line no-control-regex
  return name.replace(/[\u0000-\u001f\u007f]/g, '?').slice(0, 120);
}
