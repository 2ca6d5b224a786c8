/**
 * `npm run dist:win:azure`: electron-builder.yml, signed with Azure Trusted
 * Signing instead of a certificate file (build/README.md lists the variables).
 * electron-builder loads this TypeScript file itself (through jiti).
 */
import { azureSigningConfig } from './azure-signing.ts';

export default azureSigningConfig(process.env);
