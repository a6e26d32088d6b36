# fmt for a target that Debian has no libfmt for (mips-linux-gnu, cmake/toolchains): the
# header-only form fmt supports (FMT_HEADER_ONLY), from the build machine's libfmt-dev, whose
# headers hold the whole implementation and are the same for every architecture. uplink uses no
# part of fmt that is compiled apart even then (fmt/os.h).
if(NOT TARGET fmt::fmt)
  add_library(fmt::fmt INTERFACE IMPORTED)
  set_target_properties(fmt::fmt PROPERTIES INTERFACE_COMPILE_DEFINITIONS FMT_HEADER_ONLY=1)
endif()
