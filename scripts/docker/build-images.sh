#!/usr/bin/env bash
# Builds local stand-ins for the official `odoo:<major>` and `postgres:<ver>` images, for a
# machine that cannot pull from Docker Hub (odoo-2fa's dockerized test tier). They present the
# same interface as the official images:
#   odoo-2fa/odoo:<series>   `odoo` on PATH, /etc/odoo/odoo.conf (ODOO_RC), /mnt/extra-addons and
#                            /var/lib/odoo (volumes), user odoo, port 8069, entrypoint that turns
#                            HOST/PORT/USER/PASSWORD into --db_host/--db_port/--db_user/--db_password
#                            and waits for PostgreSQL, CMD ["odoo"].
#   odoo-2fa/postgres:15     POSTGRES_USER/POSTGRES_PASSWORD/POSTGRES_DB, PGDATA=/var/lib/postgresql/data
#                            (volume), port 5432, CMD ["postgres"].
# Recipe: a Debian bookworm root from debootstrap, Odoo's Python dependencies and PostgreSQL
# from Debian installed into it (cached as a tarball), then one `docker import` per image of that
# tarball with the image's own files appended and its config (ENV, VOLUME, USER, ENTRYPOINT…)
# given as --change: one layer each, no `docker build` (with the vfs storage driver every build
# step copies the whole root filesystem, minutes per image). The Odoo source tree
# (community modules only: any module whose manifest license is proprietary is left out, and so
# are translations *.po, to keep the images small) comes from $ODOO_2FA_SOURCES/<series>.
# Everything is cached: the rootfs tarball by its package list, each image by its inputs (the
# odoo image by the hash of odoo/release.py + series + this recipe), so a second run builds nothing.
#
#   scripts/docker/build-images.sh [--series 16.0,17.0|all] [--postgres-only] [--force]
#
# Prints one line per image: `odoo-image <series> <name>` / `postgres-image <name>`.
# Needs root, debootstrap (apt-get install debootstrap) and a running daemon (dockerd.sh start).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
cache="${ODOO_2FA_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/odoo-2fa}"
sources="${ODOO_2FA_SOURCES:-$HOME/.cache/odoo-2fa/sources}"
dockerdir="${ODOO_2FA_DOCKER_DIR:-$cache/docker}"
: "${DOCKER_HOST:=unix://$dockerdir/docker.sock}"
export DOCKER_HOST
mirror="${ODOO_2FA_DEBIAN_MIRROR:-http://deb.debian.org/debian}"
security_mirror="${ODOO_2FA_DEBIAN_SECURITY_MIRROR:-http://deb.debian.org/debian-security}"
RECIPE=3

series_arg=all
postgres_only=0
force=0
while [[ $# -gt 0 ]]; do
  case "$1" in
    --series) series_arg="$2"; shift 2 ;;
    --series=*) series_arg="${1#*=}"; shift ;;
    --postgres-only) postgres_only=1; shift ;;
    --force) force=1; shift ;;
    -h | --help) sed -n '2,25p' "$0"; exit 0 ;;
    *) echo "build-images: unknown argument $1" >&2; exit 2 ;;
  esac
done
[[ "$series_arg" == all ]] && series_arg="16.0,17.0,18.0,19.0"

# Removes the other keyed tags of REPO:PREFIX-* (older builds of the same series), unless in use.
prune_stale() {
  local repo="$1" prefix="$2" keep="$3" tag
  while IFS= read -r tag; do
    [[ "$tag" == "$repo:$prefix-"* && "$tag" != "$keep" ]] || continue
    docker rmi "$tag" >/dev/null 2>&1 && say "removed stale image $tag" || true
  done < <(docker images --format '{{.Repository}}:{{.Tag}}' "$repo")
}

say() { printf 'odoo-2fa build-images: %s\n' "$*" >&2; }
die() { say "$*"; exit 1; }
have_image() { [[ $force == 0 ]] && docker image inspect "$1" >/dev/null 2>&1; }
now() { date +%s.%N; }
took() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.1f s", b - a }'; }

docker version --format '{{.Server.Version}}' >/dev/null 2>&1 ||
  die "no Docker daemon answers at $DOCKER_HOST; start one with scripts/docker/dockerd.sh start"

# One build at a time (two test runs at once would import the same image twice).
mkdir -p "$dockerdir"
exec 8>"$dockerdir/build.lock"
flock -w 3600 8 || die "another build-images.sh holds $dockerdir/build.lock"

PACKAGES=(
  python3 python3-setuptools python3-tz python3-markupsafe python3-idna python3-urllib3
  python3-werkzeug python3-lxml python3-psycopg2 python3-passlib python3-babel python3-pil
  python3-reportlab python3-jinja2 python3-polib python3-rjsmin python3-libsass python3-num2words
  python3-qrcode python3-zeep python3-stdnum python3-vobject python3-xlsxwriter python3-openpyxl
  python3-pypdf2 python3-docutils python3-gevent python3-psutil python3-decorator python3-dateutil
  python3-cryptography python3-openssl python3-asn1crypto python3-ofxparse python3-pydot
  python3-requests python3-xlrd python3-xlwt python3-chardet python3-freezegun python3-geoip2
  python3-cbor2 python3-magic python3-ldap
  postgresql postgresql-client
)
base_key="$(printf '%s\n' "recipe=$RECIPE" "${PACKAGES[@]}" | sha256sum | cut -c1-12)"
rootfs_tar="$cache/docker/rootfs/bookworm-$base_key.tar"

build_rootfs() {
  command -v debootstrap >/dev/null || die "debootstrap is missing: apt-get install debootstrap"
  [[ "$(id -u)" == 0 ]] || die "building the rootfs needs root (debootstrap, chroot)"
  local work dir t
  work="$(mktemp -d "${TMPDIR:-/tmp}/odoo-2fa-rootfs-XXXXXX")"
  dir="$work/rootfs"
  # shellcheck disable=SC2064
  trap "umount -l '$dir/proc' 2>/dev/null || true; rm -rf '$work'" EXIT
  t="$(now)"
  say "debootstrap bookworm (minbase) from $mirror"
  debootstrap --variant=minbase bookworm "$dir" "$mirror" >"$work/debootstrap.log" 2>&1 ||
    { tail -n 30 "$work/debootstrap.log" >&2; die "debootstrap failed"; }
  say "debootstrap: $(took "$t")"
  t="$(now)"
  cat >"$dir/etc/apt/sources.list" <<LIST
deb $mirror bookworm main
deb $mirror bookworm-updates main
deb $security_mirror bookworm-security main
LIST
  printf '#!/bin/sh\nexit 101\n' >"$dir/usr/sbin/policy-rc.d"
  chmod +x "$dir/usr/sbin/policy-rc.d"
  mkdir -p "$dir/etc/postgresql-common"
  echo "create_main_cluster = false" >"$dir/etc/postgresql-common/createcluster.conf"
  cp /etc/resolv.conf "$dir/etc/resolv.conf"
  mount -t proc proc "$dir/proc"
  chroot "$dir" /usr/bin/env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin DEBIAN_FRONTEND=noninteractive LANG=C.UTF-8 \
    sh -c "apt-get update -qq && apt-get install -y -qq --no-install-recommends ${PACKAGES[*]} && apt-get clean" \
    >"$work/apt.log" 2>&1 || { tail -n 30 "$work/apt.log" >&2; die "installing packages into the rootfs failed"; }
  umount -l "$dir/proc"
  # The odoo user of the official image (a system user, home /var/lib/odoo) and its folders.
  chroot "$dir" /usr/sbin/useradd --system --user-group --home-dir /var/lib/odoo --shell /usr/sbin/nologin odoo
  mkdir -p "$dir/var/lib/odoo" "$dir/mnt/extra-addons" "$dir/etc/odoo" "$dir/var/lib/postgresql/data" "$dir/var/run/postgresql"
  chroot "$dir" chown odoo:odoo /var/lib/odoo /mnt/extra-addons /etc/odoo
  chroot "$dir" chown -R postgres:postgres /var/lib/postgresql /var/run/postgresql
  rm -rf "$dir"/var/lib/apt/lists/* "$dir"/var/cache/apt/*.bin "$dir"/tmp/* "$dir"/var/log/*.log
  : >"$dir/etc/resolv.conf"
  say "packages: $(took "$t")"
  mkdir -p "$(dirname "$rootfs_tar")"
  tar --numeric-owner -C "$dir" -cf "$rootfs_tar.tmp.$$" .
  mv "$rootfs_tar.tmp.$$" "$rootfs_tar"
  rm -rf "$work"
  trap - EXIT
}

ensure_rootfs() {
  if [[ ! -s "$rootfs_tar" || ( $force == 1 && -z "${rootfs_built:-}" ) ]]; then
    build_rootfs
    rootfs_built=1
  fi
}

# Imports IMAGE as ONE layer: the cached rootfs tarball with the files of OVERLAY added, plus
# the image config given as `--change` instructions. No `docker build`: with the vfs driver
# every build step would copy the whole root filesystem. Docker refuses a layer tarball with a
# path twice, so only paths the rootfs lacks are appended (an overlay file that replaces a
# rootfs file is first deleted from the copy).
import_image() {
  local image="$1" overlay="$2" t work
  shift 2
  ensure_rootfs
  t="$(now)"
  work="$(mktemp -d "${TMPDIR:-/tmp}/odoo-2fa-image-XXXXXX")"
  if [[ ! -s "$rootfs_tar.paths" || "$rootfs_tar.paths" -ot "$rootfs_tar" ]]; then
    tar -tf "$rootfs_tar" | sed -e 's,^\./,,' -e 's,/$,,' | grep -v '^\.\?$' | LC_ALL=C sort -u >"$rootfs_tar.paths"
  fi
  (cd "$overlay" && find . -mindepth 1 | sed 's,^\./,,' | LC_ALL=C sort) >"$work/overlay.paths"
  LC_ALL=C comm -23 "$work/overlay.paths" "$rootfs_tar.paths" >"$work/new.paths"
  : >"$work/replaced.paths"
  while IFS= read -r p; do
    [[ -d "$overlay/$p" && ! -L "$overlay/$p" ]] || echo "$p" >>"$work/replaced.paths"
  done < <(LC_ALL=C comm -12 "$work/overlay.paths" "$rootfs_tar.paths")
  cp "$rootfs_tar" "$work/image.tar"
  if [[ -s "$work/replaced.paths" ]]; then
    sed 's,^,./,' "$work/replaced.paths" | tar --delete -f "$work/image.tar" -T -
    cat "$work/replaced.paths" >>"$work/new.paths"
  fi
  tar --numeric-owner --owner=0 --group=0 --no-recursion -C "$overlay" -rf "$work/image.tar" -T "$work/new.paths"
  docker import "$@" "$work/image.tar" "$image" >/dev/null || { rm -rf "$work"; die "docker import of $image failed"; }
  rm -rf "$work"
  say "imported $image: $(took "$t")"
}

ensure_postgres() {
  local pg_major key image context
  pg_major=15
  key="$( { echo "recipe=$RECIPE base=$base_key"; cat "$here/postgres/docker-entrypoint.sh"; } | sha256sum | cut -c1-12)"
  image="odoo-2fa/postgres:$pg_major-$key"
  if ! have_image "$image"; then
    context="$(mktemp -d "${TMPDIR:-/tmp}/odoo-2fa-pg-context-XXXXXX")"
    mkdir -p "$context/usr/local/bin"
    install -m 0755 "$here/postgres/docker-entrypoint.sh" "$context/usr/local/bin/docker-entrypoint.sh"
    ln -s usr/local/bin/docker-entrypoint.sh "$context/docker-entrypoint.sh"
    import_image "$image" "$context" \
      --change "ENV PATH=/usr/lib/postgresql/$pg_major/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin" \
      --change "ENV PG_MAJOR=$pg_major" \
      --change "ENV PGDATA=/var/lib/postgresql/data" \
      --change "ENV LANG=C.UTF-8" \
      --change "ENV ODOO_2FA_IMAGE_KEY=$key" \
      --change 'VOLUME /var/lib/postgresql/data' \
      --change 'EXPOSE 5432' \
      --change 'ENTRYPOINT ["docker-entrypoint.sh"]' \
      --change 'CMD ["postgres"]'
    rm -rf "$context"
  fi
  docker tag "$image" "odoo-2fa/postgres:$pg_major"
  prune_stale odoo-2fa/postgres "$pg_major" "$image"
  echo "postgres-image odoo-2fa/postgres:$pg_major"
}

ensure_odoo() {
  local series="$1" tree="$sources/$1" key image context pkg excludes=() t
  [[ -f "$tree/odoo/release.py" ]] || { say "no Odoo $series source tree at $tree (set ODOO_2FA_SOURCES); skipping odoo-2fa/odoo:$series"; return 0; }
  local found
  found="$(sed -nE "s/^version_info *= *\( *'?(saas~)?([0-9]+)'? *, *([0-9]+).*/\2.\3/p" "$tree/odoo/release.py" | head -n1)"
  [[ "$found" == "$series" ]] || die "$tree holds Odoo $found, not $series (odoo/release.py)"
  key="$( { echo "recipe=$RECIPE series=$series base=$base_key"; cat "$tree/odoo/release.py" "$here/odoo/entrypoint.sh" "$here/odoo/odoo.conf" "$here/odoo/wait-for-psql.py" "$here/../left-out-modules.py"; } | sha256sum | cut -c1-12)"
  image="odoo-2fa/odoo:$series-$key"
  if ! have_image "$image"; then
    t="$(now)"
    context="$(mktemp -d "${TMPDIR:-/tmp}/odoo-2fa-odoo-context-XXXXXX")"
    pkg="$context/usr/lib/python3/dist-packages/odoo"
    mkdir -p "$pkg" "$context/usr/bin" "$context/usr/local/bin" "$context/etc/odoo"
    # Community modules only: leave out modules under a proprietary licence, and modules that
    # depend on a module the tree lacks (what Odoo could not install anyway; left in, auto_install
    # ones make every install fail with "Some modules have inconsistent states").
    local module reason left_out=0
    while IFS=$'\t' read -r module reason; do
      [[ -n "$module" ]] || continue
      excludes+=("--exclude=./addons/$module" "--exclude=./$module")
      left_out=$((left_out + 1))
    done < <(python3 "$here/../left-out-modules.py" "$tree/odoo/addons" "$tree/addons")
    say "odoo $series: leaving out $left_out module(s) (proprietary, or depending on modules the tree lacks)"
    tar -C "$tree/odoo" -c "${excludes[@]}" --exclude='*/i18n/*.po' --exclude='__pycache__' --exclude='*.pyc' . | tar -C "$pkg" -x
    if [[ -d "$tree/addons" ]]; then # a git checkout: core addons live next to the package; the .deb merges them
      tar -C "$tree/addons" -c "${excludes[@]}" --exclude='*/i18n/*.po' --exclude='__pycache__' --exclude='*.pyc' . | tar -C "$pkg/addons" -x
    fi
    # Byte-compile with the same Python as the image's (Debian bookworm 3.11), so the odoo user
    # (who cannot write there) does not recompile every module at each start.
    if [[ -x /usr/bin/python3 ]] && [[ "$(/usr/bin/python3 -c 'import sys; print(sys.version_info[:2] == (3, 11))')" == True ]]; then
      /usr/bin/python3 -m compileall -q -j 0 --invalidation-mode unchecked-hash "$pkg" >/dev/null 2>&1 || true
    fi
    printf '#!/usr/bin/python3\n# odoo-2fa stand-in for the odoo .deb launcher\nimport odoo.cli\n\nif __name__ == "__main__":\n    odoo.cli.main()\n' >"$context/usr/bin/odoo"
    chmod 0755 "$context/usr/bin/odoo"
    install -m 0755 "$here/odoo/entrypoint.sh" "$context/entrypoint.sh"
    install -m 0755 "$here/odoo/wait-for-psql.py" "$context/usr/local/bin/wait-for-psql.py"
    install -m 0644 "$here/odoo/odoo.conf" "$context/etc/odoo/odoo.conf"
    say "context for odoo $series: $(took "$t") ($(du -sh "$context" | cut -f1))"
    import_image "$image" "$context" \
      --change "ENV ODOO_VERSION=$series" \
      --change 'ENV ODOO_RC=/etc/odoo/odoo.conf' \
      --change 'ENV LANG=C.UTF-8' \
      --change "ENV ODOO_2FA_IMAGE_KEY=$key" \
      --change 'VOLUME ["/var/lib/odoo", "/mnt/extra-addons"]' \
      --change 'EXPOSE 8069 8071 8072' \
      --change 'USER odoo' \
      --change 'ENTRYPOINT ["/entrypoint.sh"]' \
      --change 'CMD ["odoo"]'
    rm -rf "$context"
  fi
  docker tag "$image" "odoo-2fa/odoo:$series"
  prune_stale odoo-2fa/odoo "$series" "$image"
  echo "odoo-image $series odoo-2fa/odoo:$series"
}

ensure_postgres
if [[ $postgres_only == 0 ]]; then
  IFS=, read -r -a wanted <<<"$series_arg"
  for series in "${wanted[@]}"; do ensure_odoo "$series"; done
fi
