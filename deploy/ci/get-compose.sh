#!/usr/bin/env bash
# Compose v2 CLI plugin into $W/docker-config/cli-plugins, from Debian 13's docker-compose package (Debian 12 ships
# only Compose v1). A private apt configuration reads the machine's own mirror; the system's apt state is untouched.
#   W=/scratch deploy/ci/get-compose.sh        then: DOCKER_CONFIG=$W/docker-config docker compose version
# With JUNIPER_CI_CACHE set, the plugin is kept there and reused.
set -euo pipefail
W=${W:?set W to a scratch directory}
dest=$W/docker-config/cli-plugins
mkdir -p "$dest"
cache=${JUNIPER_CI_CACHE:-}
if [ -n "$cache" ] && [ -x "$cache/docker-compose" ]; then
  install -m 0755 "$cache/docker-compose" "$dest/"
  exit 0
fi
mirror=$(awk '/^URIs:/{print $2; exit}' /etc/apt/sources.list.d/debian.sources 2> /dev/null || true)
[ -n "$mirror" ] || mirror=$(awk '$1 == "deb" {for (i = 2; i <= NF; i++) if ($i ~ /^[a-z]+:\/\//) {print $i; exit}}' /etc/apt/sources.list)
apt_dir=$W/apt-trixie
mkdir -p "$apt_dir/lists/partial" "$apt_dir/cache/archives/partial"
echo "deb [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] $mirror trixie main" > "$apt_dir/sources.list"
apt_opts=(-o Dir::Etc::sourcelist="$apt_dir/sources.list" -o Dir::Etc::sourceparts=- -o APT::Sandbox::User=root
          -o Dir::State::Lists="$apt_dir/lists" -o Dir::Cache="$apt_dir/cache")
apt-get "${apt_opts[@]}" -qq update
( cd "$apt_dir" && apt-get "${apt_opts[@]}" -qq download docker-compose && dpkg-deb -x docker-compose_*.deb unpacked )
install -m 0755 "$apt_dir/unpacked/usr/libexec/docker/cli-plugins/docker-compose" "$dest/"
rm -rf "$apt_dir"                                   # the trixie lists are about 95 MB
if [ -n "$cache" ]; then mkdir -p "$cache" && install -m 0755 "$dest/docker-compose" "$cache/"; fi
