-- Ed25519 verification for the team server (server migration 010 needs it).
-- PostgreSQL has no Ed25519, so the check is a PL/Python function over
-- python3-cryptography. PL/Python is an untrusted language: only a superuser
-- can create the extension and the function, and the schema owner
-- (recon_admin, who runs `recon sync init`) cannot. Run this file once as a
-- superuser, in the recon database, before `recon sync init`:
--
--   sudo apt-get install postgresql-plpython3-<major> python3-cryptography
--   psql -U postgres -d recon -v ON_ERROR_STOP=1 -f engine/sync/server-setup/ed25519.sql
--
-- Idempotent: running it again replaces the function with the same one.

CREATE EXTENSION IF NOT EXISTS plpython3u;
CREATE SCHEMA IF NOT EXISTS recon_crypto;
REVOKE ALL ON SCHEMA recon_crypto FROM PUBLIC;

-- True when sig is a valid Ed25519 signature of msg by the 32-byte raw public
-- key pub; false for anything else (wrong lengths included), never an error,
-- so a forged row is refused by the trigger with its own code. The parsed key
-- is cached per session (SD): a push checks many events of one device.
CREATE OR REPLACE FUNCTION recon_crypto.ed25519_verify(pub bytea, msg bytea, sig bytea) RETURNS boolean
LANGUAGE plpython3u IMMUTABLE STRICT PARALLEL SAFE AS $$
if len(pub) != 32 or len(sig) != 64:
    return False
if SD.get('pub') != pub:
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
    SD['key'] = Ed25519PublicKey.from_public_bytes(bytes(pub))
    SD['pub'] = pub
try:
    SD['key'].verify(bytes(sig), bytes(msg))
    return True
except Exception:
    return False
$$;

-- Only the schema owner needs it: the chain's SECURITY DEFINER triggers call
-- it as recon_admin. Team logins never call it directly.
REVOKE ALL ON FUNCTION recon_crypto.ed25519_verify(bytea, bytea, bytea) FROM PUBLIC;
GRANT USAGE ON SCHEMA recon_crypto TO recon_admin;
GRANT EXECUTE ON FUNCTION recon_crypto.ed25519_verify(bytea, bytea, bytea) TO recon_admin;
