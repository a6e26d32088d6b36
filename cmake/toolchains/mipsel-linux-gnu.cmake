# 32-bit little-endian MIPS, o32: the seed's board, a MikroTik RBM33G (MT7621, MIPS 1004Kc).
# Debian's glibc, hard-float ABI (OpenWrt's ramips target is musl and soft-float): this tests the
# code on a 32-bit CPU that traps on unaligned access, not the package OpenWrt would install.
set(triplet mipsel-linux-gnu)
set(qemu qemu-mipsel)
set(CMAKE_SYSTEM_PROCESSOR mipsel)
include(${CMAKE_CURRENT_LIST_DIR}/debian-cross.cmake)
