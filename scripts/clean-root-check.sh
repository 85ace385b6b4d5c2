#!/usr/bin/env bash
# clean-root-check.sh: proves that an installed odoo-2fa package's `doctor` and `setup local-odoo`
# work on a machine that has only Node and apt (issue 16, acceptance 4). Not part of `npm test`
# (minutes, root, network): run it by hand, or before a release.
#
#   sudo bash scripts/clean-root-check.sh                     # doctor / setup only
#   sudo VERIFY_SERIES=17.0 bash scripts/clean-root-check.sh  # and verify one addon on that series
#
# What it does, on a Debian/Ubuntu host, as root:
#   1. `npm run build && npm pack` in this checkout: the tarball a user installs.
#   2. `debootstrap --variant=minbase bookworm` into $ODOO_2FA_CLEAN_ROOT/root (default
#      /var/tmp/odoo-2fa-clean-root): Debian's essential packages and apt, nothing else (no Python,
#      no PostgreSQL, no sudo, no git). bookworm-updates and bookworm-security are added to its
#      sources, as on an installed Debian 12.
#   3. Copies this host's Node (the `node` binary and npm's folder, so the same version) into the
#      root's /usr/local: Debian 12's own nodejs (18.x) does not meet package.json's engines.
#   4. In a PID and mount namespace (`unshare`: every process it starts dies with it, every mount
#      disappears with it, also when this script is stopped) chroots into the root with an empty
#      environment (HOME=/root; only the host's proxy variables and extra CA bundle for npm's
#      registry are passed on, see below) and, in a scratch repository /root/scratch: `npm init -y`,
#      `npm install --save-dev <tarball>` (its dependencies come from npm's registry), then
#        npx odoo-2fa doctor                        expected exit 1 (no tree, no Python, no PostgreSQL)
#        npx odoo-2fa setup local-odoo --dry-run    expected exit 0, installs nothing
#        npx odoo-2fa setup local-odoo --dry-run    the same as a user `dev` (no sudo here): exit 0
#        npx odoo-2fa setup local-odoo --yes        as `dev`: exit 2 (needs root or sudo), installs nothing
#        npx odoo-2fa setup local-odoo              expected exit 2 (no terminal, no --yes), installs nothing
#        npx odoo-2fa setup local-odoo --yes        expected exit 0, apt-get installs the packages
#        npx odoo-2fa setup local-odoo --yes        expected exit 0, "nothing to do" (idempotent)
#        npx odoo-2fa doctor --json                 Python, PostgreSQL and the Debian packages found;
#                                                   exit 0 with VERIFY_SERIES (a tree), 1 without
#      and with VERIFY_SERIES also `init`, `generate` and `verify` on that series, the host's tree
#      ($ODOO_2FA_SOURCES/<series>, default ~/.cache/odoo-2fa/sources/<series>) bind-mounted
#      READ-ONLY at the root's ~/.cache/odoo-2fa/sources/<series> (nothing in it is copied).
#   5. Prints each command's output and exit code, a summary, and exits 0 only when every exit code
#      is the expected one and the doctor after setup finds Python and PostgreSQL. The whole log is
#      $ODOO_2FA_CLEAN_ROOT/clean-root-check.log; verify's Odoo logs are copied to .../logs.
#
# The root gets the host's route to npm's registry only: its proxy variables and, when the host
# reaches the registry through a TLS-inspecting proxy, that proxy's CA bundle (NODE_EXTRA_CA_CERTS
# or npm's cafile) as NODE_EXTRA_CA_CERTS. Nothing of the package's needs comes from the host.
#
# The root has no init: /usr/sbin/policy-rc.d forbids starting services during apt-get (Debian's
# container images do the same), so installing `postgresql` creates Debian's default cluster but
# does not start it; verify never uses it (it starts its own throwaway cluster).
#
# Environment: ODOO_2FA_CLEAN_ROOT (work folder), KEEP_ROOT=1 (keep the root for inspection; the
# next run starts from a fresh one anyway), DEBIAN_MIRROR (default http://deb.debian.org/debian),
# DEBIAN_SECURITY_MIRROR (default http://deb.debian.org/debian-security),
# VERIFY_SERIES. Needs: root, debootstrap (apt-get installed when missing), unshare, chroot, network
# access to Debian's mirror and npm's registry (not PyPI: nothing comes from it).
set -euo pipefail

REPO=$(cd "$(dirname "$0")/.." && pwd)
WORK=${ODOO_2FA_CLEAN_ROOT:-/var/tmp/odoo-2fa-clean-root}
ROOT=$WORK/root
MIRROR=${DEBIAN_MIRROR:-http://deb.debian.org/debian}
SECURITY=${DEBIAN_SECURITY_MIRROR:-http://deb.debian.org/debian-security}
SUITE=bookworm
SERIES=${VERIFY_SERIES:-}

die() { echo "clean-root-check: $*" >&2; exit 2; }
say() { echo "== $*" >&2; }

[ "$(id -u)" = 0 ] || die "run as root (debootstrap, chroot, unshare)"
command -v unshare >/dev/null && command -v chroot >/dev/null || die "needs unshare and chroot (util-linux, coreutils)"
if ! command -v debootstrap >/dev/null; then
  say "installing debootstrap on the host"
  DEBIAN_FRONTEND=noninteractive apt-get install -y -q debootstrap >&2
fi
NODE=$(readlink -f "$(command -v node)") || die "needs node on the host"
NPM_DIR=$(cd "$(dirname "$(readlink -f "$(command -v npm)")")/.." && pwd) || die "needs npm on the host"
[ -f "$NPM_DIR/bin/npm-cli.js" ] || die "npm's folder not found (looked at $NPM_DIR)"
if [ -n "$SERIES" ]; then
  TREE=${ODOO_2FA_SOURCES:-$HOME/.cache/odoo-2fa/sources}/$SERIES
  [ -f "$TREE/odoo/release.py" ] || die "VERIFY_SERIES=$SERIES: no Odoo tree at $TREE"
fi

# Never remove the root while something is mounted inside it (a bind-mounted source tree would go
# with it): mounts live in the unshare'd namespace only, this checks anyway.
remove_root() {
  [ -d "$ROOT" ] || return 0
  if findmnt -rn -o TARGET | grep -q "^$ROOT/"; then
    echo "clean-root-check: something is still mounted under $ROOT; not removing it" >&2
    return 1
  fi
  rm -rf --one-file-system "$ROOT"
}
# verify's logs (the Odoo log of the run, with each skipped test and why) outlive the root.
cleanup() {
  if [ -d "$ROOT/root/.cache/odoo-2fa/logs" ]; then
    rm -rf "$WORK/logs" && cp -r "$ROOT/root/.cache/odoo-2fa/logs" "$WORK/logs" && say "verify's logs: $WORK/logs"
  fi
  if [ "${KEEP_ROOT:-}" = 1 ]; then say "kept $ROOT"; else remove_root; fi
}

mkdir -p "$WORK"
remove_root
trap cleanup EXIT

say "build and pack $REPO"
(cd "$REPO" && npm run --silent build >&2)
rm -f "$WORK"/odoo-2fa-*.tgz
TARBALL=$(cd "$REPO" && npm pack --silent --pack-destination "$WORK" | tail -n 1)
[ -f "$WORK/$TARBALL" ] || die "npm pack wrote no $WORK/$TARBALL"

say "debootstrap --variant=minbase $SUITE $ROOT ($MIRROR)"
debootstrap --variant=minbase "$SUITE" "$ROOT" "$MIRROR" >"$WORK/debootstrap.log" 2>&1 \
  || { tail -n 20 "$WORK/debootstrap.log" >&2; die "debootstrap failed (log: $WORK/debootstrap.log)"; }
cat >"$ROOT/etc/apt/sources.list" <<EOF
deb $MIRROR $SUITE main
deb $MIRROR $SUITE-updates main
deb $SECURITY $SUITE-security main
EOF
printf '#!/bin/sh\n# clean-root-check.sh: a chroot has no init; start no services.\nexit 101\n' >"$ROOT/usr/sbin/policy-rc.d"
chmod 755 "$ROOT/usr/sbin/policy-rc.d"
cp /etc/resolv.conf "$ROOT/etc/resolv.conf"

say "Node $("$NODE" --version) and npm $(node "$NPM_DIR/bin/npm-cli.js" --version) from the host into /usr/local"
install -D -m 755 "$NODE" "$ROOT/usr/local/bin/node"
mkdir -p "$ROOT/usr/local/lib/node_modules"
cp -a "$NPM_DIR" "$ROOT/usr/local/lib/node_modules/npm"
ln -s ../lib/node_modules/npm/bin/npm-cli.js "$ROOT/usr/local/bin/npm"
ln -s ../lib/node_modules/npm/bin/npx-cli.js "$ROOT/usr/local/bin/npx"

# The host's way to npm's registry, passed on as it is: proxy variables, and the extra CA bundle
# of a TLS-inspecting proxy (NODE_EXTRA_CA_CERTS, or npm's cafile). A machine that reaches the
# registry directly needs neither. (The root starts without Debian's ca-certificates: Node has its own.)
NET_ENV=()
for var in http_proxy https_proxy no_proxy HTTP_PROXY HTTPS_PROXY NO_PROXY; do
  if [ -n "${!var:-}" ]; then NET_ENV+=("$var=${!var}"); fi
done
CA=${NODE_EXTRA_CA_CERTS:-$(npm config get cafile 2>/dev/null || true)}
if [ -n "$CA" ] && [ "$CA" != null ] && [ -f "$CA" ]; then
  install -D -m 644 "$CA" "$ROOT/usr/local/share/clean-root-check/host-ca.crt"
  NET_ENV+=("NODE_EXTRA_CA_CERTS=/usr/local/share/clean-root-check/host-ca.crt")
  say "npm's registry through this host's CA bundle $CA (NODE_EXTRA_CA_CERTS in the root)"
fi

mkdir -p "$ROOT/root/scratch"
cp "$WORK/$TARBALL" "$ROOT/root/scratch/"

# The part that runs inside the root. Each step: its command, its output, its exit code (checked
# against the expected one at the end).
cat >"$ROOT/root/clean-root-inner.sh" <<'INNER'
#!/bin/bash
set -uo pipefail
TARBALL=$1 SERIES=$2
RESULTS=/root/results.txt
: >"$RESULTS"
step() { # step EXPECTED NAME CMD...
  local expected=$1 name=$2
  shift 2
  echo
  echo "---- \$ $* (expected exit $expected)"
  "$@" </dev/null
  local rc=$?
  echo "---- exit $rc"
  echo "$rc $expected $name" >>"$RESULTS"
}
echo "---- the root: Debian $(cat /etc/debian_version), $(dpkg-query -W -f='${db:Status-Status}\n' | grep -c '^installed$') packages installed, node $(node --version), npm $(npm --version)"
for tool in python3 postgres initdb pg_ctl sudo git docker; do
  command -v "$tool" >/dev/null && { echo "not a clean root: $tool is here ($(command -v "$tool"))"; exit 3; }
done
ls /usr/lib/postgresql >/dev/null 2>&1 && { echo "not a clean root: /usr/lib/postgresql exists"; exit 3; }
cd /root/scratch || exit 3
npm init -y >/dev/null
step 0 "npm install" npm install --save-dev --no-audit --no-fund "./$TARBALL"
step 1 "doctor (before setup)" npx odoo-2fa doctor
step 0 "setup --dry-run" npx odoo-2fa setup local-odoo --dry-run
# An ordinary user on this machine (no sudo here): lists the packages, installs nothing, says why.
useradd -m dev && cp -a /root/scratch /home/dev/scratch && chown -R dev:dev /home/dev/scratch
as_dev() { (cd /home/dev/scratch && runuser -u dev -- env HOME=/home/dev USER=dev LOGNAME=dev "$@"); }
step 0 "setup --dry-run (as a user without sudo)" as_dev npx odoo-2fa setup local-odoo --dry-run
step 2 "setup --yes (as a user without sudo)" as_dev npx odoo-2fa setup local-odoo --yes
step 2 "setup (no terminal, no --yes)" npx odoo-2fa setup local-odoo
step 0 "setup --yes" npx odoo-2fa setup local-odoo --yes
step 0 "setup --yes (again: nothing to do)" npx odoo-2fa setup local-odoo --yes
if [ -n "$SERIES" ]; then
  step 0 "doctor --odoo $SERIES (after setup)" npx odoo-2fa doctor --odoo "$SERIES"
  step 0 "doctor --json (after setup)" sh -c "npx odoo-2fa doctor --odoo $SERIES --json >/root/doctor.json; rc=\$?; cat /root/doctor.json; exit \$rc"
else
  step 1 "doctor (after setup; no tree)" npx odoo-2fa doctor
  step 1 "doctor --json (after setup; no tree)" sh -c 'npx odoo-2fa doctor --json >/root/doctor.json; rc=$?; cat /root/doctor.json; exit $rc'
fi
# After setup, doctor must find Python, PostgreSQL and every Debian package.
step 0 "doctor finds Python, PostgreSQL, the packages" node -e '
  const report = JSON.parse(require("fs").readFileSync("/root/doctor.json", "utf8"));
  const want = ["Python with Odoo", "PostgreSQL server binaries", "Debian packages"];
  let bad = 0;
  for (const w of want) {
    const f = report.findings.find((x) => x.what.startsWith(w));
    console.log(`${f && f.ok ? "ok  " : "FAIL"} ${w}: ${f ? f.detail : "no such finding"}`);
    if (!f || !f.ok) bad = 1;
  }
  process.exit(bad);'
if [ -n "$SERIES" ]; then
  step 0 "init" npx odoo-2fa init --out policy.yaml
  step 0 "generate --odoo $SERIES" npx odoo-2fa generate policy.yaml --odoo "$SERIES" --out addons/
  addon=$(ls addons | head -n 1)
  step 0 "verify addons/$addon --odoo $SERIES" npx odoo-2fa verify "addons/$addon" --odoo "$SERIES"
fi
echo
echo "==== summary (exit / expected / step)"
fail=0
while read -r rc expected name; do
  mark=ok; [ "$rc" = "$expected" ] || { mark=FAIL; fail=1; }
  printf '%-4s exit %s (expected %s)  %s\n' "$mark" "$rc" "$expected" "$name"
done <"$RESULTS"
exit $fail
INNER

say "into the root (unshare --pid --mount; chroot $ROOT)"
set +e
unshare --pid --mount --fork --kill-child --propagation private -- /bin/bash -euc '
  ROOT=$1 TREE=$2 SERIES=$3 TARBALL=$4
  shift 4
  mount -t proc proc "$ROOT/proc"
  mount -t sysfs sysfs "$ROOT/sys"
  mount -t devpts -o newinstance,ptmxmode=0666 devpts "$ROOT/dev/pts"
  mount -t tmpfs -o mode=1777 tmpfs "$ROOT/dev/shm"
  if [ -n "$SERIES" ]; then
    target="$ROOT/root/.cache/odoo-2fa/sources/$SERIES"
    mkdir -p "$target"
    mount --bind "$TREE" "$target"
    mount -o remount,bind,ro "$target"
  fi
  exec chroot "$ROOT" /usr/bin/env -i HOME=/root USER=root LOGNAME=root SHELL=/bin/bash LANG=C.UTF-8 TERM=dumb npm_config_update_notifier=false \
    PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin "$@" \
    /bin/bash /root/clean-root-inner.sh "$TARBALL" "$SERIES"
' clean-root "$ROOT" "${TREE:-}" "$SERIES" "$TARBALL" "${NET_ENV[@]}" 2>&1 | tee "$WORK/clean-root-check.log"
rc=${PIPESTATUS[0]}
set -e
say "log: $WORK/clean-root-check.log; exit $rc"
exit "$rc"
