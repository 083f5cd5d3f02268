import { basename, join } from 'node:path';
import type {
  BaseWindow,
  OpenDialogOptions,
  OpenDialogReturnValue,
  SaveDialogOptions,
  SaveDialogReturnValue,
} from 'electron';
import type { CallContext } from '../core/engine/protocol';

/** The two methods of Electron's `dialog` used here; tests pass a fake that answers like the user. */
export interface DialogLike {
  showOpenDialog(window: BaseWindow, options: OpenDialogOptions): Promise<OpenDialogReturnValue>;
  showSaveDialog(window: BaseWindow, options: SaveDialogOptions): Promise<SaveDialogReturnValue>;
}

const BUNDLE_FILTERS = [{ name: 'RTC Triage bundle', extensions: ['zip'] }];

/**
 * Files for the contract's bundle methods in the desktop app: the renderer never names a path, the
 * user picks one in a dialog owned by our window. No window (or a cancelled dialog): nothing happens.
 */
export function bundleDialogs(
  dialog: DialogLike,
  options: { window(): BaseWindow | null; defaultDir(): string },
): Required<CallContext> {
  return {
    async bundleToOpen() {
      const window = options.window();
      if (!window) return null;
      const picked = await dialog.showOpenDialog(window, {
        title: 'Open a diagnostic bundle',
        filters: BUNDLE_FILTERS,
        properties: ['openFile'],
      });
      const path = picked.canceled ? undefined : picked.filePaths[0];
      return path ? { path, name: basename(path) } : null;
    },
    async exportTarget(fileName) {
      const window = options.window();
      if (!window) return null;
      const picked = await dialog.showSaveDialog(window, {
        title: 'Save a diagnostic bundle',
        defaultPath: join(options.defaultDir(), fileName),
        filters: BUNDLE_FILTERS,
        properties: ['showOverwriteConfirmation', 'createDirectory'],
      });
      return picked.canceled || !picked.filePath ? null : { path: picked.filePath, download: null };
    },
  };
}
