# Shared by the toolchain files beside it, which set `triplet` (Debian's multiarch name) and
# `qemu` (qemu-user's program for that CPU) and include this: Debian's cross compiler
# (g++-<triplet>), the target's libraries from Debian's multiarch directories (/usr/lib/<triplet>,
# `dpkg --add-architecture`), and qemu-user to run the tests with the cross libc (/usr/<triplet>)
# as its sysroot. scripts/cross-test installs all of it.
set(CMAKE_SYSTEM_NAME Linux)
set(CMAKE_C_COMPILER ${triplet}-gcc)
set(CMAKE_CXX_COMPILER ${triplet}-g++)
set(CMAKE_LIBRARY_ARCHITECTURE ${triplet})
# The loader (/lib/ld.so.1) and libc.so.6 both from the cross libc, the one the tests link with:
# libc6:<arch>, which the multiarch libraries pull in, can be another point release of glibc, and
# a loader of one build with the libc of another crashes in the child of fork() (seen with
# libc6-mipsel-cross 2.36-8cross2 and libc6:mipsel 2.36-9+deb12u14). The other libraries are
# found in the loader's multiarch directories (/usr/lib/<triplet>), which the sysroot lacks.
set(CMAKE_CROSSCOMPILING_EMULATOR ${qemu} -L /usr/${triplet} -E LD_LIBRARY_PATH=/usr/${triplet}/lib)

# The target's .pc files, never the build machine's.
set(ENV{PKG_CONFIG_LIBDIR} /usr/lib/${triplet}/pkgconfig:/usr/share/pkgconfig)

# uplink uses Boost's headers only (Boost.JSON is compiled from them, src/core/boost_json.cpp).
# They are the same files for every architecture (libboost1.81-dev is Multi-Arch: same), and the
# cross compiler searches /usr/include after its own directories, so the build machine's package
# serves: its CMake files name the headers and no library.
file(GLOB Boost_DIR LIST_DIRECTORIES true
  /usr/lib/${CMAKE_HOST_SYSTEM_PROCESSOR}-linux-gnu/cmake/Boost-1.81.*)
