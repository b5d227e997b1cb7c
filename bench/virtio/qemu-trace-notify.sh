#!/usr/bin/env bash
# bench/virtio/qemu-trace-notify.sh: a QEMU wrapper for the guest benchmarks
# that logs every virtio notification (kick) QEMU handles, with timestamps,
# to $SLUICE_NOTIFY_TRACE (default /tmp/qemu-notify-<pid>.log). Use it as
#   SLUICE_QEMU=bench/virtio/qemu-trace-notify.sh bench/run-guest-iofwd.sh virtio
# then count kicks per packet with bench/virtio/kicks.py. Tracing only the
# notify handler costs little (a line per kick, about one per 100 packets).
exec qemu-system-x86_64 -msg timestamp=on -trace virtio_queue_notify \
	-D "${SLUICE_NOTIFY_TRACE:-/tmp/qemu-notify-$$.log}" "$@"
