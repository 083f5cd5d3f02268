import { MAX_CALL_DUMP_CHARS } from '../../../../contract';

/**
 * A dump file the user picked or dropped, as the text `importCall` takes. Chromium writes its
 * webrtc-internals dump gzipped by default: that is inflated here, counting as it goes, so a file
 * that expands past the contract's limit stops there. Everything else about the dump (JSON, its
 * fields, its lines) is the engine's to judge.
 */
export async function readDumpFile(file: File): Promise<string> {
  const refuse = (reason: string) =>
    new Error(`${file.name} is not a call dump RTC Triage can import: ${reason}`);
  if (file.size === 0) throw refuse('it is empty');
  const head = new Uint8Array(await file.slice(0, 2).arrayBuffer());
  const gzip = head[0] === 0x1f && head[1] === 0x8b;
  if (!gzip) {
    if (file.size > MAX_CALL_DUMP_CHARS)
      throw refuse(`it is ${file.size} bytes (at most ${MAX_CALL_DUMP_CHARS} are read)`);
    return file.text();
  }
  if (file.size > MAX_CALL_DUMP_CHARS)
    throw refuse(`it is ${file.size} bytes (at most ${MAX_CALL_DUMP_CHARS} are read)`);
  const reader = file.stream().pipeThrough(new DecompressionStream('gzip')).getReader();
  const decoder = new TextDecoder();
  let text = '';
  let size = 0;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      size += value.length;
      if (size > MAX_CALL_DUMP_CHARS) {
        await reader.cancel();
        throw refuse(`it expands to more than ${MAX_CALL_DUMP_CHARS} bytes`);
      }
      text += decoder.decode(value, { stream: true });
    }
  } catch (error) {
    if (error instanceof Error && error.message.startsWith(file.name)) throw error;
    throw refuse(`it is gzip, but damaged or truncated (${String(error)})`);
  }
  return text + decoder.decode();
}
