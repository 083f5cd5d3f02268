import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { CallDumpError, DEFAULT_DUMP_LIMITS, importCallFile, type DumpLimits } from '../../src/core/calls';
import { TriageService } from '../../src/core/service';
import { runCli } from '../helpers/cli';
import { testTempDir } from '../helpers/temp';
import { candidate, internalsDump, state } from './fixture';

// Issue 22: a dump is hostile input, like a bundle. Every refusal is one CallDumpError that names
// the line or field; nothing crashes, nothing is evaluated, nothing stored is lost.

const RTCSTATS = join(__dirname, 'fixtures', 'rtcstats-relay-tcp.ndjson');
const good = () =>
  JSON.stringify(
    internalsDump({
      urls: ['turn:turn.example.com:3478?transport=udp'],
      updates: [
        state('gathering', 'gathering', 0),
        candidate('relay', 'turn:turn.example.com:3478?transport=udp', 80),
      ],
    }),
  );

function refused(content: string | Buffer, pattern: RegExp, limits?: Partial<DumpLimits>): CallDumpError {
  const file = join(testTempDir('rtc-triage-hostile-call-'), 'dump');
  writeFileSync(file, content);
  let caught: unknown;
  try {
    importCallFile(file, { limits: { ...DEFAULT_DUMP_LIMITS, ...limits } });
  } catch (error) {
    caught = error;
  }
  expect(caught).toBeInstanceOf(CallDumpError);
  expect((caught as Error).message).toMatch(/is not a call dump RTC Triage can import: /);
  expect((caught as Error).message).toMatch(pattern);
  return caught as CallDumpError;
}

describe('hostile call dumps', () => {
  it('truncated: JSON cut short, gzip cut short, an rtcstats line cut short', () => {
    const text = good();
    refused(text.slice(0, text.length / 2), /\(root\): not valid JSON/);
    const gz = gzipSync(text);
    refused(gz.subarray(0, gz.length - 10), /gzip, but damaged or truncated/);
    const lines = readFileSync(RTCSTATS, 'utf8').split('\n');
    lines[5] = (lines[5] as string).slice(0, 12);
    expect(refused(lines.join('\n'), /line 6: not valid JSON/).field).toBe('line 6');
  });

  it('huge: a file over the limit, and a gzip that expands past it, are refused before parsing', () => {
    refused(good(), /bytes \(at most 100 are read\)/, { maxFileBytes: 100 });
    const bomb = gzipSync(Buffer.alloc(8 * 1024 * 1024, 0x20));
    expect(bomb.length).toBeLessThan(64 * 1024);
    refused(bomb, /expands to more than 1048576 bytes/, { maxTextBytes: 1024 * 1024 });
    refused(`RTCStatsDump\n{"fileFormat":3}\n${'[36,"PC_0",[],1]\n'.repeat(50)}`, /at most 20 are read/, {
      maxLines: 20,
    });
    const many = internalsDump({ urls: [], updates: [] });
    const pcs = many.PeerConnections as Record<string, unknown>;
    for (let i = 0; i < 5; i++) pcs[`9-${i}`] = pcs['7-1'];
    refused(JSON.stringify(many), /6 peer connections \(at most 4 are read\)/, { maxPeerConnections: 4 });
  });

  it('deeply nested: refused by a scan before any parser recurses', () => {
    const deep = `{"PeerConnections":${'['.repeat(200_000)}${']'.repeat(200_000)}}`;
    refused(deep, /nested more than 32 levels deep/);
    refused(
      `RTCStatsDump\n{"fileFormat":3}\n[39,"PC_0",${'{"a":'.repeat(100)}1${'}'.repeat(100)},1]`,
      /line 3: it is nested more than 32/,
    );
  });

  it('wrong types name the field or the line', () => {
    const dump = JSON.parse(good()) as { PeerConnections: Record<string, Record<string, unknown>> };
    (dump.PeerConnections['7-1'] as Record<string, unknown>).updateLog = 'not a list';
    expect(refused(JSON.stringify(dump), /PeerConnections\.7-1\.updateLog: /).field).toBe(
      'PeerConnections.7-1.updateLog',
    );
    refused(JSON.stringify({ PeerConnections: [] }), /PeerConnections: /);
    refused(JSON.stringify({ some: 'json' }), /without "PeerConnections"/);
    refused(
      'RTCStatsDump\n{"fileFormat":3}\n[39,"PC_0"]\n',
      /line 3: expected \[method, peerConnectionId, value/,
    );
    refused('RTCStatsDump\n{"fileFormat":3}\n"a string"\n', /line 3: expected a JSON array/);
    refused('<html>not a dump</html>', /neither a chrome:\/\/webrtc-internals dump/);
    refused(Buffer.from([0x00, 0x01, 0x02, 0x7b]), /binary/);
    refused(JSON.stringify({ PeerConnections: {} }), /records no RTCPeerConnection/);
    refused('', /empty/);
  });

  it('keys that name a prototype stay data', () => {
    const dump = JSON.parse(good()) as { PeerConnections: Record<string, Record<string, unknown>> };
    const pc = dump.PeerConnections['7-1'] as Record<string, unknown>;
    (pc.updateLog as unknown[]).push(
      { type: 'constructor', value: '"x"', timestamp: 1 },
      { type: '__proto__', value: '{}', timestamp: 2 },
    );
    pc.stats = {
      '__proto__-polluted': { statsType: 'transport', values: '[true]' },
      'T-__proto__': { statsType: 'x', values: '[1]' },
    };
    const file = join(testTempDir('rtc-triage-proto-'), 'dump.json');
    writeFileSync(file, JSON.stringify(dump).replace('"__proto__-polluted"', '"__proto__-polluted"'));
    const { call } = importCallFile(file);
    expect(call.peerConnections[0]?.timeline.map((s) => s.of)).toEqual(['gathering']);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    const rtc = `RTCStatsDump\n{"fileFormat":3}\n[39,"PC_0",{"iceServers":[]},1]\n["constructor","PC_0",1,1]\n["g","PC_0",{"__proto__":{"polluted":1},"0":{"constructor":1,"type":6}},1]\n`;
    writeFileSync(file, rtc);
    expect(importCallFile(file).call.peerConnections).toHaveLength(1);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('a refused dump stores nothing and loses nothing already stored; the bin exits 2 with the reason', async () => {
    const dir = testTempDir('rtc-triage-hostile-db-');
    const dbPath = join(dir, 'history.db');
    const ok = join(dir, 'ok.json');
    const bad = join(dir, 'bad.json');
    writeFileSync(ok, good());
    writeFileSync(bad, good().slice(0, 200));
    const service = new TriageService({
      config: { targets: [] } as never,
      dbPath,
      face: 'test',
      version: '0',
      telemetry: false,
    });
    try {
      const first = service.importCall(ok);
      expect(() => service.importCall(bad)).toThrow(CallDumpError);
      expect(service.listCalls().map((c) => c.id)).toEqual([first.id]);
    } finally {
      service.close();
    }
    const run = await runCli(['import-call', bad, '--db', dbPath], { env: { RTC_TRIAGE_DATA_DIR: dir } });
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(
      /^rtc-triage: bad\.json is not a call dump RTC Triage can import: \(root\): not valid JSON/,
    );
    const again = new TriageService({
      config: { targets: [] } as never,
      dbPath,
      face: 'test',
      version: '0',
      telemetry: false,
    });
    try {
      expect(again.listCalls()).toHaveLength(1);
    } finally {
      again.close();
    }
  });
});
