#!/bin/sh
# build-examples.sh BUILD_DIR OUT_DIR: install this Sluice build into
# OUT_DIR/inst (meson install --destdir) and build DPDK's unmodified
# helloworld, skeleton and l2fwd from Debian's dpdk-doc
# (/usr/share/dpdk/examples) against sluice-rte from there, the way a DPDK
# user builds them: cc -Wall -Wextra -Werror $(pkg-config --cflags
# sluice-rte) SOURCE $(pkg-config --libs sluice-rte). Shared links into
# OUT_DIR/bin; l2fwd also statically (libsluice_rte.a and libsluice.a, with
# pkg-config --static) into OUT_DIR/bin/l2fwd-static. Nothing of the examples
# is copied into the repository. Prints the lines to source for running
# them (LD_LIBRARY_PATH).
set -eu

build_dir=$1
out_dir=$2
examples=${DPDK_EXAMPLES_DIR:-/usr/share/dpdk/examples}

if [ ! -f "$examples/helloworld/main.c" ] || [ ! -f "$examples/skeleton/basicfwd.c" ] ||
   [ ! -f "$examples/l2fwd/main.c" ]; then
	echo "build-examples: DPDK's example sources are not in $examples; install dpdk-doc" \
	     "(apt-get install dpdk-doc, or devtools/install-deps.sh)" >&2
	exit 1
fi

cc=${CC:-cc}
inst="$out_dir/inst"
rm -rf "$inst"
mkdir -p "$out_dir/bin"
# without --no-rebuild: `meson test` in a fresh build directory builds only
# the tests' own dependencies, and the install needs every installed target
meson install -C "$build_dir" --destdir "$inst" --quiet >"$out_dir/install.log" 2>&1 || {
	cat "$out_dir/install.log" >&2
	echo "build-examples: meson install --destdir $inst failed" >&2
	exit 1
}
pc=$(find "$inst" -name sluice-rte.pc | head -n 1)
if [ -z "$pc" ]; then
	echo "build-examples: the install has no sluice-rte.pc" >&2
	exit 1
fi
# The .pc names the configured prefix; the sysroot points it into the destdir.
PKG_CONFIG_PATH=$(dirname "$pc")
PKG_CONFIG_SYSROOT_DIR=$inst
export PKG_CONFIG_PATH PKG_CONFIG_SYSROOT_DIR
cflags=$(pkg-config --cflags sluice-rte)
libs=$(pkg-config --libs sluice-rte)
static_libs=$(pkg-config --static --libs sluice-rte)
libdir=$(dirname "$(dirname "$pc")")

for ex in helloworld/main.c skeleton/basicfwd.c l2fwd/main.c; do
	name=$(dirname "$ex")
	echo "build-examples: $cc -Wall -Wextra -Werror $cflags $examples/$ex $libs -o $out_dir/bin/$name"
	# shellcheck disable=SC2086
	$cc -Wall -Wextra -Werror $cflags "$examples/$ex" $libs -o "$out_dir/bin/$name"
done
# Static: -Bstatic makes -lsluice_rte/-lsluice the archives; the
# --whole-archive in sluice-rte.pc keeps the drivers' constructors.
echo "build-examples: static l2fwd: $cc ... -Wl,-Bstatic $static_libs -Wl,-Bdynamic"
# shellcheck disable=SC2086
$cc -Wall -Wextra -Werror $cflags "$examples/l2fwd/main.c" -Wl,-Bstatic $static_libs -Wl,-Bdynamic \
	-o "$out_dir/bin/l2fwd-static"
echo "LD_LIBRARY_PATH=$libdir"
