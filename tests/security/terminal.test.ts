import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BUNDLE_FILES } from '../../src/contract';
import { exportBundle } from '../../src/core/bundle';
import { readZipEntries } from '../../src/core/bundle/safe-zip';
import { HistoryStore } from '../../src/core/store/history';
import { rawZip } from '../bundle/zip-writer';
import { runCli } from '../helpers/cli';

// Issue 19: `inspect` printed a bundle's text raw; ANSI escapes in a verdict title set the window
// title, cleared the screen and drew a fake verdict. Config error messages echoed escapes too.
const ESC = '\u001b';
const HOSTILE = `${ESC}]0;pwned${'\u0007'}${ESC}[2J${ESC}[H${ESC}[32mEverything works\u202e`;
// eslint-disable-next-line no-control-regex -- the characters the terminal must never receive
const ANY_CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/;

const dir = mkdtempSync(join(tmpdir(), 'rtc-triage-terminal-'));
const bundle = join(dir, 'hostile.zip');
afterAll(() => rmSync(dir, { recursive: true, force: true }));

beforeAll(async () => {
  // a real bundle, then its verdict.json replaced by one whose every text carries escape sequences
  const store = HistoryStore.open(join(dir, 'history.db'), { retentionDays: 0 });
  const clean = join(dir, 'clean.zip');
  try {
    await exportBundle({
      store,
      since: new Date(Date.now() - 3_600_000),
      redact: true,
      out: clean,
      config: null,
      verdict: {
        kind: 'infrastructure-outage',
        local: 'pass',
        crossNetwork: 'fail',
        confidence: 0.9,
        title: HOSTILE,
        message: `message ${HOSTILE}`,
        action: `action ${HOSTILE}`,
        evidence: [{ summary: `evidence ${HOSTILE}` }],
      },
    });
  } finally {
    store.close();
  }
  const entries = await readZipEntries(clean, new Set(Object.values(BUNDLE_FILES)));
  // the history's verdict is the one a bundle shows: make it hostile too
  const verdicts = JSON.parse(String(entries.get(BUNDLE_FILES.verdict))) as {
    history: { verdict: Record<string, unknown> };
    given: Record<string, unknown>;
  };
  verdicts.history.verdict = verdicts.given;
  entries.set(BUNDLE_FILES.verdict, Buffer.from(JSON.stringify(verdicts)));
  writeFileSync(bundle, rawZip([...entries].map(([name, data]) => ({ name, data }))));
});

describe('nothing hostile reaches the terminal', () => {
  it('inspect shows a verdict title with escape sequences as visible text, not as commands', async () => {
    const run = await runCli(['inspect', bundle]);
    expect(run.stdout).toContain('Everything works');
    expect(run.stdout).not.toMatch(ANY_CONTROL);
    expect(run.stderr).not.toMatch(ANY_CONTROL);
    // what was there is still shown, escaped
    expect(run.stdout).toContain('\\u001b]0;pwned\\u0007\\u001b[2J');
    expect(run.stdout).toContain('\\u202e');
  });

  it('inspect --json keeps the text exact (JSON escapes it) and still parses', async () => {
    const run = await runCli(['inspect', bundle, '--json']);
    expect(run.stdout).not.toMatch(ANY_CONTROL);
    const parsed = JSON.parse(run.stdout) as { verdict: { history: { verdict: { title: string } } } };
    expect(parsed.verdict.history.verdict.title).toBe(HOSTILE);
  });

  it("monitor's JSON lines on stdout carry a hostile target id escaped, and parse back exact", async () => {
    const config = join(dir, 'hostile-monitor.json');
    const id = `evil${HOSTILE}\u0085`;
    writeFileSync(
      config,
      JSON.stringify({
        targets: [{ id, kind: 'stun', url: 'stun:127.0.0.1:9' }],
        timeouts: { stunMs: 300 },
        retry: { maxAttempts: 1 },
      }),
    );
    const run = await runCli([
      'monitor',
      '--config',
      config,
      '--db',
      join(dir, 'm.db'),
      '--cycles',
      '1',
      '--every',
      '1s',
    ]);
    expect(run.code).toBe(0);
    expect(run.stdout).not.toMatch(ANY_CONTROL);
    expect(run.stderr).not.toMatch(ANY_CONTROL);
    const lines = run.stdout
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as { event: string; data?: { down?: string[] } });
    const cycle = lines.find((line) => line.event === 'monitor.cycle');
    expect(cycle?.data?.down).toEqual([id]);
  });

  it('a config error naming a hostile value prints it escaped', async () => {
    const config = join(dir, 'hostile-config.json');
    writeFileSync(
      config,
      JSON.stringify({ targets: [{ id: `x${ESC}[2J`, kind: 'stun', url: `stun:${ESC}[2J` }] }),
    );
    const run = await runCli(['diagnose', '--config', config, '--db', join(dir, 'd.db')]);
    expect(run.code).toBe(2);
    expect(run.stderr).not.toMatch(ANY_CONTROL);
    expect(run.stderr).toContain('\\u001b[2J');
  });
});
