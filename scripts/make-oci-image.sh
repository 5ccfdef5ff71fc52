#!/bin/sh
# Builds a tiny OCI image archive (oci-layout + index.json + blobs) from Debian's busybox-static,
# without any registry: one uncompressed layer with /bin/busybox and a symlink per applet.
#
#   sh scripts/make-oci-image.sh OUT.tar [IMAGE_NAME]
#
# IMAGE_NAME defaults to docker.io/falcots/busybox:1.0. The archive is what `ctr image import`
# reads (the name is in the io.containerd.image.name annotation). The config carries the labels
# falcots.test=yes and falcots.image=busybox, so tests can check container.label[...].
set -eu
out=${1:?usage: make-oci-image.sh OUT.tar [IMAGE_NAME]}
name=${2:-docker.io/falcots/busybox:1.0}
bb=$(command -v busybox || true)
[ -n "$bb" ] && "$bb" --list >/dev/null 2>&1 || { echo "make-oci-image: busybox-static is needed (apt-get install busybox-static)" >&2; exit 1; }
# the static one: a dynamic busybox would need its libraries in the image
if command -v file >/dev/null 2>&1 && ! file -L "$bb" | grep -q 'statically linked'; then
  echo "make-oci-image: $bb is not statically linked (install busybox-static)" >&2; exit 1
fi

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
root=$work/rootfs
mkdir -p "$root/bin" "$root/tmp" "$root/etc" "$root/proc" "$root/sys" "$root/dev" "$root/root"
cp "$bb" "$root/bin/busybox"
chmod 0755 "$root/bin/busybox"
for a in $("$bb" --list); do
  [ "$a" = busybox ] && continue
  ln -s busybox "$root/bin/$a"
done
chmod 1777 "$root/tmp"
printf 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/bin/false\n' > "$root/etc/passwd"
printf 'root:x:0:\nnogroup:x:65534:\n' > "$root/etc/group"

blobs=$work/oci/blobs/sha256
mkdir -p "$blobs"
# reproducible layer: sorted names, fixed owner and times
tar --sort=name --owner=0 --group=0 --numeric-owner --mtime=@0 --format=posix \
  --pax-option=exthdr.name=%d/PaxHeaders/%f,delete=atime,delete=ctime \
  -C "$root" -cf "$work/layer.tar" .
sha() { sha256sum "$1" | cut -d' ' -f1; }
size() { wc -c < "$1" | tr -d ' '; }
layer=$(sha "$work/layer.tar")
layer_size=$(size "$work/layer.tar")
mv "$work/layer.tar" "$blobs/$layer"

cat > "$work/config.json" <<EOF
{"architecture":"amd64","os":"linux","config":{"Env":["PATH=/bin"],"Cmd":["/bin/sh"],"WorkingDir":"/","Labels":{"falcots.test":"yes","falcots.image":"busybox"}},"rootfs":{"type":"layers","diff_ids":["sha256:$layer"]},"history":[{"created":"1970-01-01T00:00:00Z","created_by":"scripts/make-oci-image.sh"}]}
EOF
config=$(sha "$work/config.json")
config_size=$(size "$work/config.json")
mv "$work/config.json" "$blobs/$config"

cat > "$work/manifest.json" <<EOF
{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json","config":{"mediaType":"application/vnd.oci.image.config.v1+json","digest":"sha256:$config","size":$config_size},"layers":[{"mediaType":"application/vnd.oci.image.layer.v1.tar","digest":"sha256:$layer","size":$layer_size}]}
EOF
manifest=$(sha "$work/manifest.json")
manifest_size=$(size "$work/manifest.json")
mv "$work/manifest.json" "$blobs/$manifest"

tag=${name##*:}
case "$name" in *:*/*|*@*) tag=latest ;; esac
cat > "$work/oci/index.json" <<EOF
{"schemaVersion":2,"mediaType":"application/vnd.oci.image.index.v1+json","manifests":[{"mediaType":"application/vnd.oci.image.manifest.v1+json","digest":"sha256:$manifest","size":$manifest_size,"platform":{"architecture":"amd64","os":"linux"},"annotations":{"io.containerd.image.name":"$name","org.opencontainers.image.ref.name":"$tag"}}]}
EOF
printf '{"imageLayoutVersion":"1.0.0"}' > "$work/oci/oci-layout"
tar --sort=name --owner=0 --group=0 --numeric-owner --mtime=@0 -C "$work/oci" -cf "$out" oci-layout index.json blobs
echo "$out: $name (manifest sha256:$manifest)"
