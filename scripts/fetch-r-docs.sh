#!/usr/bin/env bash
# Download Debian's R packages (every r-cran-* and r-bioc-* of this release, about 1.5 GB of .deb files) and
# unpack their DESCRIPTION files and vignette sources into DIR, for the detector's training and evaluation:
#   scripts/fetch-r-docs.sh DIR && python manage.py train_detector --data ... DIR
# Nothing is installed and nothing is committed: the texts are the packages' authors', read from DIR
# (moderation/detector/train/data.py, load_r_docs, which reads only packages published before ChatGPT's
# release, whatever the release this runs on). Needs apt-get and dpkg-deb (any Debian or Ubuntu).
set -euo pipefail
dir=${1:?usage: scripts/fetch-r-docs.sh DIR}
mkdir -p "$dir/debs"
dir=$(cd "$dir" && pwd)
apt-cache search --names-only '^r-(bioc|cran)-' | awk '{print $1}' | sort > "$dir/packages.txt"
echo "downloading $(wc -l < "$dir/packages.txt") packages into $dir/debs"
# a package that fails to download is left out (its name is in download.log), not fatal
(cd "$dir/debs" && xargs -a "$dir/packages.txt" apt-get download -q >"$dir/download.log" 2>&1 || true)
echo "downloaded $(ls "$dir"/debs/*.deb 2>/dev/null | wc -l) of $(wc -l < "$dir/packages.txt") (apt-get's output: $dir/download.log)"
for deb in "$dir"/debs/*.deb; do
  dpkg-deb --fsys-tarfile "$deb" | tar -x -C "$dir" --wildcards --no-anchored \
    '*/site-library/*/DESCRIPTION' '*/site-library/*/doc/*.Rmd' '*/site-library/*/doc/*.rmd' \
    '*/site-library/*/doc/*.Rnw' 2>/dev/null || true
done
echo "unpacked $(ls "$dir/usr/lib/R/site-library" | wc -l) packages into $dir/usr/lib/R/site-library"
