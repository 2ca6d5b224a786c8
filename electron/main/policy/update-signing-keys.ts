/**
 * The Ed25519 public keys (SPKI PEM) whose signature a Linux update must carry
 * (update-signature.ts). Built into app.asar: the AppImage and the .deb's
 * /opt install are read-only to the user, so the key cannot be swapped
 * without swapping the app. More than one during a key rotation: a release
 * signed with the new key ships both, the next release drops the old one.
 *
 * Empty until the release owner generates the key pair (docs/DESKTOP-SECURITY.md,
 * "Signing a Linux release"): a Linux build without a key does not update
 * itself (policy/update-policy.ts says why), rather than trust the feed alone.
 */
export const UPDATE_SIGNING_KEYS: readonly string[] = [];
