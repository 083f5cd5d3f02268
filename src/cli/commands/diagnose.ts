import { loadConfigFile, parseConfig } from '../../core/config/load';
import { defaultConfigPath } from '../../core/config/resources';
import { TriageService } from '../../core/service';
import { startLab, type Lab } from '../../lab';
import { parseFlags } from '../args';
import { formatReport, progressLine } from '../format';
import { DIAGNOSE_HELP } from '../help';
import type { CliIo } from '../io';

export async function diagnoseCommand(argv: string[], io: CliIo): Promise<number> {
  const { values } = parseFlags('diagnose', argv, {
    config: { type: 'string' },
    lab: { type: 'boolean' },
    json: { type: 'boolean' },
    db: { type: 'string' },
    'app-failing': { type: 'boolean' },
  });
  if (values.help) {
    io.out(DIAGNOSE_HELP);
    return 0;
  }
  let lab: Lab | null = null;
  let service: TriageService | null = null;
  const controller = new AbortController();
  const onSignal = () => {
    io.err('\ncancelling: waiting for open attempts to clean up…');
    controller.abort();
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  try {
    // Validate the config before starting anything, so a bad file costs nothing.
    const configPath = values.config ?? defaultConfigPath();
    const config = loadConfigFile(configPath);
    if (values.lab) lab = await startLab();
    service = new TriageService({
      config,
      configPath,
      ...(values.db ? { dbPath: values.db } : {}),
      ...(lab ? { lab: parseConfig(lab.config, 'lab') } : {}),
      face: 'cli',
      version: io.version,
    });
    if (!values.json) {
      io.err(`diagnosing ${service.listTargets().length} target(s)${lab ? ' plus the embedded lab' : ''}…`);
      service.onEvent((event) => {
        const line = progressLine(event);
        if (line) io.err(line);
      });
    }
    const report = await service.runDiagnosis({
      appFailing: values['app-failing'] ?? false,
      signal: controller.signal,
    });
    io.out(values.json ? JSON.stringify(report) : formatReport(report));
    if (controller.signal.aborted) return 1;
    return report.verdict.kind === 'healthy' ? 0 : 1;
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    service?.close();
    await lab?.close();
  }
}
