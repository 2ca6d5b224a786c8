/**
 * Windows signing through Azure Trusted Signing: the settings come from the
 * release machine's environment, never from the repository. electron-builder
 * runs Microsoft's TrustedSigning PowerShell module, which signs in to Entra ID
 * with AZURE_TENANT_ID, AZURE_CLIENT_ID and AZURE_CLIENT_SECRET.
 */

/** Environment variable → azureSignOptions field. */
export const AZURE_SIGNING_ENV = {
  AZURE_SIGNING_ENDPOINT: 'endpoint',
  AZURE_SIGNING_ACCOUNT: 'codeSigningAccountName',
  AZURE_SIGNING_CERTIFICATE_PROFILE: 'certificateProfileName',
  // Exactly the certificate's subject CN: electron-updater checks updates against it.
  AZURE_SIGNING_PUBLISHER_NAME: 'publisherName',
} as const;

/** Read by the TrustedSigning module itself (Azure.Identity EnvironmentCredential). */
export const AZURE_CREDENTIAL_ENV = ['AZURE_TENANT_ID', 'AZURE_CLIENT_ID', 'AZURE_CLIENT_SECRET'] as const;

/** The configuration layered on electron-builder.yml for an Azure-signed Windows build; throws naming what is missing. */
export function azureSigningConfig(env: NodeJS.ProcessEnv): Record<string, unknown> {
  const missing = [...Object.keys(AZURE_SIGNING_ENV), ...AZURE_CREDENTIAL_ENV].filter((name) => !env[name]?.trim());
  if (missing.length > 0) throw new Error(`Azure Trusted Signing needs these environment variables: ${missing.join(', ')}`);
  const azureSignOptions = Object.fromEntries(Object.entries(AZURE_SIGNING_ENV).map(([name, field]) => [field, env[name]!.trim()]));
  return {
    extends: './electron-builder.yml',
    // One signing method: Azure replaces the certificate (signtool) settings.
    win: { signtoolOptions: null, azureSignOptions },
  };
}
