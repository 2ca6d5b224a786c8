/** Serves the bundled renderer on app://recon (see policy/app-scheme.ts for why not file://), with the desktop CSP as a header. */
import { net, protocol } from 'electron';
import { APP_SCHEME, appAssetResponse } from './policy/app-scheme.ts';

/** Declares app:// as a standard, secure scheme; must run before the app is ready. */
export function registerAppScheme(): void {
  protocol.registerSchemesAsPrivileged([
    { scheme: APP_SCHEME, privileges: { standard: true, secure: true, supportFetchAPI: true } },
  ]);
}

/** Answers app:// requests with files from `rendererDir` only, each with the CSP and nosniff headers (policy/csp.ts). */
export function setupAppProtocol(rendererDir: string): void {
  protocol.handle(APP_SCHEME, (request) => appAssetResponse(rendererDir, request.url, (fileUrl) => net.fetch(fileUrl)));
}
