#!/usr/bin/env bash
# Runs a command against a real, headless Secret Service (the Linux OS
# keychain that @napi-rs/keyring talks to): installs gnome-keyring and dbus
# when missing, then runs CMD inside a private D-Bus session with an unlocked
# gnome-keyring and a throwaway HOME, so no real keychain is touched and
# nothing is left behind.
#
#   scripts/keyring/with-secret-service.sh vitest run --config vitest.keyring.config.ts
#
# CMD sees RECON_SECRET_SERVICE=1 (the keyring tests run only then).
set -euo pipefail
[ $# -gt 0 ] || { echo "usage: with-secret-service.sh CMD [ARGS...]" >&2; exit 2; }

if ! command -v gnome-keyring-daemon >/dev/null 2>&1 || ! command -v dbus-run-session >/dev/null 2>&1; then
  echo "with-secret-service: installing gnome-keyring and dbus" >&2
  sudo=""
  [ "$(id -u)" -ne 0 ] && sudo="sudo"
  export DEBIAN_FRONTEND=noninteractive
  (
    flock -w 600 9
    if ! $sudo apt-get install -y -o DPkg::Lock::Timeout=300 gnome-keyring dbus >&2; then
      $sudo apt-get update >&2
      $sudo apt-get install -y -o DPkg::Lock::Timeout=300 gnome-keyring dbus >&2
    fi
  ) 9>/tmp/recon-apt.lock
fi

home=$(mktemp -d "${TMPDIR:-/tmp}/recon-keyring-home.XXXXXX")
runtime="$home/run"
mkdir -p "$runtime" && chmod 700 "$runtime"
cleanup() { rm -rf "$home"; }
trap cleanup EXIT

# The keyring's password only unlocks this throwaway keyring.
unlock_pw=$(head -c 12 /dev/urandom | od -An -tx1 | tr -d ' \n')
set +e
HOME="$home" XDG_RUNTIME_DIR="$runtime" XDG_DATA_HOME="$home/.local/share" XDG_CONFIG_HOME="$home/.config" \
  RECON_SECRET_SERVICE=1 UNLOCK_PW="$unlock_pw" \
  dbus-run-session -- sh -c '
    # In the foreground (backgrounded here) so $! is the daemon itself and it
    # can be stopped by its pid when the command is done.
    printf %s "$UNLOCK_PW" | gnome-keyring-daemon --foreground --unlock --components=secrets >/dev/null 2>&1 &
    daemon=$!
    unset UNLOCK_PW
    # Wait until the daemon owns the Secret Service name on this bus.
    i=0
    until dbus-send --session --print-reply --dest=org.freedesktop.DBus /org/freedesktop/DBus \
          org.freedesktop.DBus.NameHasOwner string:org.freedesktop.secrets 2>/dev/null | grep -q "boolean true"; do
      i=$((i + 1))
      [ $i -gt 100 ] && { echo "with-secret-service: gnome-keyring did not start" >&2; kill $daemon; exit 1; }
      sleep 0.05
    done
    "$@"
    rc=$?
    kill $daemon 2>/dev/null
    wait $daemon 2>/dev/null
    exit $rc
  ' sh "$@"
rc=$?
set -e
exit $rc
