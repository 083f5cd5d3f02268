import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CallSchema, CallSummarySchema, MAX_CALL_DUMP_CHARS, methods } from '../../src/contract';
import { startServe, type ServeHandle } from '../../src/cli/serve';
import { parseConfig } from '../../src/core/config/load';
import { dispatch } from '../../src/core/engine/dispatch';
import type { CallResult } from '../../src/core/engine/protocol';
import { TriageService } from '../../src/core/service';
import { postJson } from '../helpers/http';
import { testTempDir } from '../helpers/temp';

// Issue 22 through the contract: importCall / listCalls / getCall / reproduceCall are methods of the
// table, validated by the engine (dispatch) and reachable over HTTP (`serve`); bad arguments and bad
// dumps are typed refusals that name the argument (and, in the message, the dump's line or field),
// and a refused import leaves the stored calls as they were.

const RTCSTATS = readFileSync(join(__dirname, 'fixtures', 'rtcstats-relay-tcp.ndjson'), 'utf8');

function refusal(result: CallResult): { code: string; message: string; field?: string } {
  if (result.ok) throw new Error(`expected a refusal, got ${JSON.stringify(result.value).slice(0, 200)}`);
  return result.error;
}

describe('the calls methods of the contract', () => {
  let service: TriageService;
  let serve: ServeHandle;
  beforeAll(async () => {
    const dir = testTempDir('rtc-triage-calls-contract-');
    service = new TriageService({
      config: parseConfig({ targets: [{ kind: 'stun', url: 'stun:127.0.0.1:9' }] }),
      dbPath: join(dir, 'history.db'),
      face: 'serve',
      version: 'test',
      telemetry: false,
    });
    serve = await startServe({ service, host: '127.0.0.1', port: 0, rendererDir: join(dir, 'renderer') });
  });
  afterAll(async () => {
    await serve?.close();
    service?.close();
  });

  it('imports a dump from its text: the call, redacted (no username), listed and shown', async () => {
    const imported = await dispatch(service, 'importCall', {
      name: 'C:\\Users\\me\\call.ndjson',
      text: RTCSTATS,
    });
    expect(imported.ok).toBe(true);
    const call = CallSchema.parse((imported as { value: unknown }).value);
    expect(call).toMatchObject({ format: 'rtcstats', source: 'call.ndjson' });
    expect(call.observations.length).toBeGreaterThan(0);
    expect(JSON.stringify(call)).not.toContain('alice-1758602115');

    const listed = await dispatch(service, 'listCalls', {});
    const summaries = CallSummarySchema.array().parse((listed as { value: unknown }).value);
    expect(summaries.map((s) => s.id)).toContain(call.id);
    const shown = await dispatch(service, 'getCall', { callId: call.id });
    expect(shown).toEqual({ ok: true, value: call });
  });

  it('refuses bad arguments with ARGUMENT_INVALID naming the field', async () => {
    const cases: Array<[string, unknown, string]> = [
      ['importCall', {}, 'name'],
      ['importCall', { name: 'a.json' }, 'text'],
      ['importCall', { name: '', text: '{}' }, 'name'],
      ['importCall', { name: 'x'.repeat(256), text: '{}' }, 'name'],
      ['importCall', { name: 'a.json', text: '' }, 'text'],
      ['importCall', { name: 'a.json', text: 42 }, 'text'],
      ['importCall', { name: 'a.json', text: '{}', path: '/etc/passwd' }, '(root)'],
      ['getCall', {}, 'callId'],
      ['getCall', { callId: 'x'.repeat(65) }, 'callId'],
      ['listCalls', { all: true }, '(root)'],
      [
        'reproduceCall',
        { callId: 'c', credentials: [{ url: 'turn:a', username: '' }] },
        'credentials.0.username',
      ],
      ['reproduceCall', { callId: 'c', credentials: 'alice:secret' }, 'credentials'],
    ];
    for (const [method, args, field] of cases) {
      const error = refusal(await dispatch(service, method, args));
      expect(error, `${method} ${JSON.stringify(args).slice(0, 80)}`).toMatchObject({
        code: 'ARGUMENT_INVALID',
        field,
      });
      expect(error.message).toContain(field);
    }
  });

  it('a dump over the limit is refused by the schema before the engine reads it', () => {
    const parsed = methods.importCall.args.safeParse({
      name: 'big.json',
      text: ' '.repeat(MAX_CALL_DUMP_CHARS + 1),
    });
    expect(parsed.success).toBe(false);
    expect(parsed.error?.issues[0]?.message).toMatch(/^the dump is larger than 64 MiB/);
  });

  it('a text that is no dump is refused plainly, naming the line or field, and nothing is stored', async () => {
    const before = (await dispatch(service, 'listCalls', {})) as { ok: true; value: unknown[] };
    const bad: Array<[string, RegExp]> = [
      ['this is not JSON', /neither a chrome:\/\/webrtc-internals dump .* nor an rtcstats dump/],
      ['{"PeerConnections": {"1-1": ', /\(root\): not valid JSON/],
      ['{"getUserMedia": []}', /without "PeerConnections"/],
      [
        RTCSTATS.split('\n')
          .map((l, i) => (i === 5 ? l.slice(0, 12) : l))
          .join('\n'),
        /line 6: not valid JSON/,
      ],
      ['RTCStatsDump\n\u0000\u0001', /binary, not JSON text/],
      ['   \n  ', /it is empty/],
    ];
    for (const [text, pattern] of bad) {
      const error = refusal(await dispatch(service, 'importCall', { name: 'bad.json', text }));
      expect(error).toMatchObject({ code: 'ARGUMENT_INVALID', field: 'text' });
      expect(error.message).toMatch(
        /^importCall: text: bad\.json is not a call dump RTC Triage can import: /,
      );
      expect(error.message).toMatch(pattern);
    }
    expect(await dispatch(service, 'listCalls', {})).toEqual(before);
  });

  it('getCall / reproduceCall of an unknown call: NOT_FOUND naming callId', async () => {
    for (const method of ['getCall', 'reproduceCall'] as const)
      expect(refusal(await dispatch(service, method, { callId: 'no-such-call' }))).toMatchObject({
        code: 'NOT_FOUND',
        field: 'callId',
      });
  });

  it('over HTTP (serve): the import, its refusal as 400, and a body over the limit as 413', async () => {
    const ok = await postJson(
      serve.address,
      'importCall',
      JSON.stringify({ name: 'c.ndjson', text: RTCSTATS }),
    );
    expect(ok.status).toBe(200);
    expect(CallSchema.parse((JSON.parse(ok.body) as { value: unknown }).value).format).toBe('rtcstats');

    const bad = await postJson(serve.address, 'importCall', JSON.stringify({ name: 'c.json', text: 'nope' }));
    expect(bad.status).toBe(400);
    expect(JSON.parse(bad.body)).toMatchObject({
      ok: false,
      error: { code: 'ARGUMENT_INVALID', field: 'text' },
    });

    // another method keeps the small body limit
    const big = await postJson(serve.address, 'listCalls', JSON.stringify({ pad: 'x'.repeat(70 * 1024) }));
    expect(big.status).toBe(413);
    expect(JSON.parse(big.body)).toMatchObject({ ok: false, error: { code: 'BODY_TOO_LARGE' } });
  });
});
