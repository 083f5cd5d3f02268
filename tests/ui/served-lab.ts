import { startServe, type ServeHandle } from '../../src/cli/serve';
import { RENDERER_DIR } from '../helpers/build';
import { startLabService, type LabService } from '../helpers/lab-service';
import { launchBrowser, type Browser } from './browser';

/** The UI tests' stage: a UI face's service over the embedded lab, `serve` on loopback, and Chromium. */
export interface ServedLab {
  labService: LabService;
  server: ServeHandle;
  browser: Browser;
  /** Ends the browser, the server and the lab service (what started, if a start failed half-way). */
  close(): Promise<void>;
}

/** Starts the stage; `seed` runs on the service before `serve` starts (e.g. to store a history). */
export async function startServedLab(
  seed?: (labService: LabService) => void | Promise<void>,
): Promise<ServedLab> {
  const labService = await startLabService({ useSavedSettings: true });
  let server: ServeHandle | undefined;
  try {
    await seed?.(labService);
    server = await startServe({
      service: labService.service,
      host: '127.0.0.1',
      port: 0,
      rendererDir: RENDERER_DIR,
    });
    const browser = await launchBrowser();
    const started = server;
    return {
      labService,
      server: started,
      browser,
      async close() {
        await browser.close();
        await started.close();
        await labService.close();
      },
    };
  } catch (error) {
    await server?.close();
    await labService.close();
    throw error;
  }
}
