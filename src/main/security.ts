import type { App, Session } from 'electron';
import { CONTENT_SECURITY_POLICY } from '../contract/channels';

export { CONTENT_SECURITY_POLICY };

/** Permissions the UI may use. None today: camera, microphone, notifications… are all refused. */
const ALLOWED_PERMISSIONS: ReadonlySet<string> = new Set<string>();

export function isPermissionAllowed(permission: string): boolean {
  return ALLOWED_PERMISSIONS.has(permission);
}

/** Deny-by-default permissions and the CSP header on every response the session receives. */
export function secureSession(session: Session): void {
  session.setPermissionRequestHandler((_webContents, permission, callback) =>
    callback(isPermissionAllowed(permission)),
  );
  session.setPermissionCheckHandler((_webContents, permission) => isPermissionAllowed(permission));
  session.webRequest.onHeadersReceived((details, callback) => {
    const headers = { ...details.responseHeaders };
    for (const name of Object.keys(headers)) {
      if (name.toLowerCase() === 'content-security-policy') delete headers[name];
    }
    headers['Content-Security-Policy'] = [CONTENT_SECURITY_POLICY];
    callback({ responseHeaders: headers });
  });
}

/**
 * Hardening for every web contents the app ever creates (not only our window): no webviews, no
 * navigation, no new windows.
 */
export function secureAllWebContents(app: App): void {
  app.on('web-contents-created', (_event, contents) => {
    contents.on('will-attach-webview', (event) => event.preventDefault());
    contents.on('will-navigate', (event) => event.preventDefault());
    contents.setWindowOpenHandler(() => ({ action: 'deny' }));
  });
}
