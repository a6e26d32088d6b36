# 32-bit big-endian MIPS, o32: what ath79 routers run. Debian has dropped this architecture
# (buster), so the cross compiler and its libc are all it has for it: no multiarch libraries.
set(triplet mips-linux-gnu)
set(qemu qemu-mips)
set(CMAKE_SYSTEM_PROCESSOR mips)
include(${CMAKE_CURRENT_LIST_DIR}/debian-cross.cmake)

# fmt from its headers alone (fmt-header-only/). GoogleTest is built for the target from
# Debian's sources (/usr/src/googletest) by scripts/cross-test, into a prefix named by the preset.
set(fmt_DIR ${CMAKE_CURRENT_LIST_DIR}/fmt-header-only)
