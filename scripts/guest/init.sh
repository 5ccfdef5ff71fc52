#!/bin/busybox sh
# /init of the guest initramfs (scripts/guest/run.sh): mounts the host's /usr, the project
# (read-only) and the output folder over 9p, builds a tmpfs root with merged-usr symlinks,
# and runs scenario.sh in it. The exit status goes to qemu through isa-debug-exit
# (qemu exits (rc << 1) | 1: 1 = pass); a panic (oops=panic) ends qemu with 0 instead.
/bin/busybox mkdir -p /proc /sys /dev /bin
/bin/busybox --install -s /bin
export PATH=/bin
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
quit() {
  sync
  printf "\\$(printf '%03o' "$1")" | dd of=/dev/port bs=1 seek=244 count=1 2>/dev/null
  poweroff -f
}
for m in $(cat /mods/order); do
  insmod "/mods/$m" || { echo "init: insmod $m failed"; quit 1; }
done
R=/newroot
mkdir -p $R && mount -t tmpfs -o size=512m tmpfs $R
mkdir -p $R/usr $R/proj $R/out $R/proc $R/sys $R/dev $R/tmp $R/etc $R/root $R/run $R/var/log
ln -s usr/bin $R/bin; ln -s usr/sbin $R/sbin; ln -s usr/lib $R/lib; ln -s usr/lib64 $R/lib64
O=trans=virtio,version=9p2000.L,msize=512000
mount -t 9p -o $O,ro,cache=loose usr $R/usr || { echo "init: 9p usr"; dmesg | tail -5; quit 1; }
mount -t 9p -o $O,ro,cache=loose proj $R/proj || { echo "init: 9p proj"; quit 1; }
mount -t 9p -o $O out $R/out || { echo "init: 9p out"; quit 1; }
mkdir -p $R/app && mount --bind /app $R/app
mount -t proc proc $R/proc
mount -t sysfs sysfs $R/sys
mount -t devtmpfs devtmpfs $R/dev
mkdir -p $R/dev/shm && mount -t tmpfs shm $R/dev/shm
echo 'root:x:0:0:root:/root:/bin/bash' > $R/etc/passwd
echo 'root:x:0:' > $R/etc/group
echo 'root:*:19000:0:99999:7:::' > $R/etc/shadow
chmod 640 $R/etc/shadow
echo '127.0.0.1 localhost' > $R/etc/hosts
ip link set lo up
mode=$(sed -n 's/.*ft\.mode=\([a-z-]*\).*/\1/p' /proc/cmdline)
chroot $R /usr/bin/env -i PATH=/usr/sbin:/usr/bin HOME=/root FT_MODE="${mode:-full}" /bin/bash /proj/scripts/guest/scenario.sh
quit $?
