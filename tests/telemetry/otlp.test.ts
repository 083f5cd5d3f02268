import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { TriageEvent } from '../../src/contract';
import { parseConfig } from '../../src/core/config/load';
import { TriageService } from '../../src/core/service';
import { OtlpSpanExporter, Telemetry, otlpFromEnv } from '../../src/core/telemetry';
import { traceIdFor } from '../../src/core/telemetry/otlp';
import { startLab } from '../../src/lab';
import { PEER_HOST } from '../helpers/build';
import { skipUnlessIsolated } from '../helpers/isolation';
import { freePort } from '../helpers/ports';

interface Received {
  method: string;
  path: string;
  headers: IncomingHttpHeaders;
  body: string;
}

/** A loopback OTLP collector that records what it is sent; `mode` decides how it answers. */
async function collector(mode: 'ok' | 'error' | 'hang' = 'ok') {
  const received: Received[] = [];
  const sockets = new Set<Socket>();
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      received.push({
        method: req.method ?? '',
        path: req.url ?? '',
        headers: req.headers,
        body: Buffer.concat(chunks).toString(),
      });
      if (mode === 'hang') return;
      res.writeHead(mode === 'ok' ? 200 : 500, { 'content-type': 'application/json' }).end('{}');
    });
  });
  server.on('connection', (s) => {
    sockets.add(s);
    s.once('close', () => sockets.delete(s));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    received,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}

const at = (ms: number) => new Date(Date.parse('2026-05-01T10:00:00Z') + ms).toISOString();
const RUN = '0190b7a1-2c3d-7e4f-8a9b-0c1d2e3f4a5b';
function syntheticRun(): TriageEvent[] {
  const attempt = (id: string, outcome: string, start: number): TriageEvent[] => [
    {
      name: 'attempt.started',
      at: at(start),
      runId: RUN,
      attemptId: id,
      correlationId: `corr-${id}`,
      targetId: 'lab-gun',
      data: { probe: 'gun-signaling', kind: 'gun', attempt: 1, targetUrl: 'http://127.0.0.1:1/gun' },
    },
    {
      name: 'attempt.finished',
      at: at(start + 40),
      runId: RUN,
      attemptId: id,
      correlationId: `corr-${id}`,
      targetId: 'lab-gun',
      data: {
        probe: 'gun-signaling',
        kind: 'gun',
        attempt: 1,
        outcome,
        ...(outcome === 'success' ? {} : { errorClass: 'refused' }),
      },
    },
  ];
  return [
    { name: 'run.started', at: at(0), runId: RUN },
    ...attempt('a1', 'error', 5),
    ...attempt('a2', 'success', 100),
    { name: 'run.finished', at: at(200), runId: RUN, data: { verdict: 'healthy' } },
  ];
}

describe('the OTLP/HTTP JSON exporter', () => {
  it('reads the standard OTel variables', () => {
    expect(otlpFromEnv({})).toBeNull();
    expect(otlpFromEnv({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://127.0.0.1:4318/' })).toMatchObject({
      url: 'http://127.0.0.1:4318/v1/traces',
      serviceName: 'rtc-triage',
    });
    expect(
      otlpFromEnv({
        OTEL_EXPORTER_OTLP_ENDPOINT: 'http://ignored',
        OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'http://127.0.0.1:9/custom',
        OTEL_EXPORTER_OTLP_HEADERS: 'x-token=a%20b,bad,=x',
        OTEL_SERVICE_NAME: 'agent-7',
      }),
    ).toEqual({ url: 'http://127.0.0.1:9/custom', headers: { 'x-token': 'a b' }, serviceName: 'agent-7' });
  });

  it('posts one span per attempt, children of the diagnosis span, when the diagnosis ends', async () => {
    const c = await collector('ok');
    try {
      const exporter = new OtlpSpanExporter({
        url: `${c.url}/v1/traces`,
        version: '1.0.0',
        headers: { 'x-token': 't' },
      });
      for (const e of syntheticRun()) exporter.observe(e);
      await exporter.close();
      expect(c.received).toHaveLength(1);
      const request = c.received[0] as Received;
      expect(request).toMatchObject({ method: 'POST', path: '/v1/traces' });
      expect(request.headers['content-type']).toBe('application/json');
      expect(request.headers['x-token']).toBe('t');
      const spans = spansOf(request.body);
      expect(spans).toHaveLength(3);
      const root = spans.find((s) => s.name === 'diagnosis');
      const attempts = spans.filter((s) => s.name === 'gun-signaling attempt');
      expect(attempts).toHaveLength(2);
      for (const span of spans) expect(span.traceId).toBe(RUN.replace(/-/g, ''));
      for (const span of attempts) expect(span.parentSpanId).toBe(root?.spanId);
      const failed = attempts.find((s) => attr(s, 'rtc_triage.outcome') === 'error');
      expect(failed?.status).toEqual({ code: 2, message: 'refused' });
      expect(attr(failed, 'rtc_triage.correlation_id')).toBe('corr-a1');
      expect(attr(failed, 'rtc_triage.target')).toBe('lab-gun');
      expect(attr(failed, 'rtc_triage.probe')).toBe('gun-signaling');
      expect(BigInt(String(failed?.endTimeUnixNano)) - BigInt(String(failed?.startTimeUnixNano))).toBe(
        40_000_000n,
      );
      expect(exporter.exported).toBe(3);
    } finally {
      await c.close();
    }
  });

  it('a failing, refusing or hanging collector drops the spans, counts it, and never throws', async () => {
    const failures: string[] = [];
    const error = await collector('error');
    const hang = await collector('hang');
    const closed = await freePort();
    try {
      for (const url of [
        `${error.url}/v1/traces`,
        `http://127.0.0.1:${closed}/v1/traces`,
        `${hang.url}/v1/traces`,
      ]) {
        const exporter = new OtlpSpanExporter({
          url,
          version: 't',
          timeoutMs: 300,
          onFailure: (r) => failures.push(r),
        });
        for (const e of syntheticRun()) exporter.observe(e);
        await exporter.close();
        expect(exporter.failures).toBe(1);
        expect(exporter.exported).toBe(0);
      }
      expect(failures[0]).toMatch(/HTTP 500/);
      expect(failures[2]).toMatch(/no answer within 300 ms/);
      expect(hang.received).toHaveLength(1);
    } finally {
      await error.close();
      await hang.close();
    }
  });

  it('Telemetry counts export failures in rtc_triage_otlp_export_failures_total', async () => {
    const closed = await freePort();
    const dir = mkdtempSync(join(tmpdir(), 'rtc-triage-otlp-'));
    try {
      const telemetry = new Telemetry({
        face: 'test',
        version: 't',
        flags: parseConfig({ targets: [{ kind: 'stun', url: 'stun:127.0.0.1' }] }).flags,
        logDir: dir,
        env: { OTEL_EXPORTER_OTLP_ENDPOINT: `http://127.0.0.1:${closed}` },
      });
      for (const e of syntheticRun()) telemetry.observe(e);
      await telemetry.close();
      expect(await telemetry.metrics?.text()).toMatch(/^rtc_triage_otlp_export_failures_total 1$/m);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('the trace id is the run id, or a hash of it', () => {
    expect(traceIdFor(RUN)).toBe(RUN.replace(/-/g, ''));
    expect(traceIdFor('quiet')).toMatch(/^[0-9a-f]{32}$/);
  });
});

const skip = skipUnlessIsolated('the OTLP export of a real diagnosis');

describe.skipIf(skip)('OTLP spans of a real diagnosis', () => {
  const dirs: string[] = [];
  afterAll(() => {
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  });

  it('one span per attempt with probe, target, outcome and correlation id; a dead collector changes nothing', async () => {
    const lab = await startLab();
    const c = await collector('ok');
    const dead = await freePort();
    try {
      const config = parseConfig(lab.config, 'lab');
      const run = async (endpoint: string) => {
        const dir = mkdtempSync(join(tmpdir(), 'rtc-triage-otlp-run-'));
        dirs.push(dir);
        const telemetry = new Telemetry({
          face: 'test',
          version: 't',
          flags: config.flags,
          logDir: join(dir, 'logs'),
          env: { OTEL_EXPORTER_OTLP_ENDPOINT: endpoint },
        });
        const service = new TriageService({
          config,
          dbPath: join(dir, 'h.db'),
          face: 'test',
          version: 't',
          telemetry,
          // WebRTC in a peer host, as the faces run it: wrtc's finalizers never run in the vitest worker
          peerHosts: { entry: PEER_HOST, size: 1 },
        });
        try {
          const report = await service.runDiagnosis({});
          await telemetry.close();
          return { report, telemetry };
        } finally {
          service.close();
        }
      };

      const { report } = await run(c.url);
      const spans = c.received.flatMap((r) => spansOf(r.body));
      const attemptSpans = spans.filter((s) => s.name !== 'diagnosis');
      expect(attemptSpans).toHaveLength(report.attempts.length);
      for (const attempt of report.attempts) {
        const span = attemptSpans.find((s) => attr(s, 'rtc_triage.attempt_id') === attempt.id);
        expect(span, attempt.id).toBeDefined();
        expect(attr(span, 'rtc_triage.probe')).toBe(attempt.probe);
        expect(attr(span, 'rtc_triage.target')).toBe(attempt.targetId);
        expect(attr(span, 'rtc_triage.outcome')).toBe(attempt.outcome);
        expect(attr(span, 'rtc_triage.correlation_id')).toBe(attempt.correlationId);
        expect(span?.traceId).toBe(traceIdFor(report.runId));
      }

      const without = await run(`http://127.0.0.1:${dead}`);
      expect(without.report.attempts.length).toBeGreaterThan(0);
      expect(without.report.cleanup.leaked).toBe(0);
      expect(without.telemetry.otlp?.failures).toBe(1);
    } finally {
      await c.close();
      await lab.close();
    }
  }, 120_000);
});

type Span = {
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  name: string;
  startTimeUnixNano: string;
  endTimeUnixNano: string;
  attributes: Array<{ key: string; value: { stringValue?: string; intValue?: string } }>;
  status: { code: number; message?: string };
};

function spansOf(body: string): Span[] {
  const parsed = JSON.parse(body) as {
    resourceSpans: Array<{
      resource: { attributes: Array<{ key: string }> };
      scopeSpans: Array<{ spans: Span[] }>;
    }>;
  };
  expect(parsed.resourceSpans[0]?.resource.attributes.map((a) => a.key)).toContain('service.name');
  return parsed.resourceSpans.flatMap((r) => r.scopeSpans.flatMap((s) => s.spans));
}

function attr(span: Span | undefined, key: string): string | undefined {
  const found = span?.attributes.find((a) => a.key === key)?.value;
  return found?.stringValue ?? found?.intValue;
}
