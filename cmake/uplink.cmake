# Helpers shared by every module's CMakeLists.txt.

# uplink_module(NAME SOURCES... [DEPENDS targets...])
# A static library under src/NAME whose only public header is src/NAME/NAME.hpp,
# included by other modules as <NAME/NAME.hpp>.
function(uplink_module name)
  cmake_parse_arguments(ARG "" "" "SOURCES;DEPENDS" ${ARGN})
  add_library(uplink_${name} STATIC ${ARG_SOURCES})
  target_include_directories(uplink_${name} PUBLIC ${PROJECT_SOURCE_DIR}/src)
  target_link_libraries(uplink_${name} PUBLIC ${ARG_DEPENDS})
endfunction()

# uplink_test(NAME SOURCES... DEPENDS targets... [LABELS labels...])
# A GoogleTest binary registered with ctest, test by test; in a cross build, as one test.
function(uplink_test name)
  if(NOT UPLINK_TESTS)
    return()
  endif()
  cmake_parse_arguments(ARG "" "" "SOURCES;DEPENDS;LABELS" ${ARGN})
  if(NOT ARG_LABELS)
    set(ARG_LABELS unit)
  endif()
  # A build of some modules (UPLINK_MODULES) has their unit tests only, and builds what they link.
  if(UPLINK_MODULES AND NOT "unit" IN_LIST ARG_LABELS)
    return()
  endif()
  add_executable(${name} ${ARG_SOURCES})
  if(UPLINK_MODULES)
    set_target_properties(${name} PROPERTIES EXCLUDE_FROM_ALL OFF)
  endif()
  # uplink_test_main (tests/support/main.cpp): with UPLINK_REQUIRE_EVERY_TEST=1, a skip fails.
  target_link_libraries(${name} PRIVATE ${ARG_DEPENDS} GTest::gtest uplink_test_main GTest::gmock)
  # The sanitizer tree's tests carry a prefix so that one ctest run over every tree
  # (scripts/test) reports them apart from the release tree's.
  set(prefix "")
  if(UPLINK_SANITIZE)
    set(prefix "asan.")
  endif()
  if(CMAKE_CROSSCOMPILING)
    # Under qemu-user (CMAKE_CROSSCOMPILING_EMULATOR) a process takes about 0.2 s to start, ten
    # times what most tests take: the binary runs once, and its output names a failing test. Its
    # name says the CPU (mipsel.core_test), apart from the other cross tree's in one ctest run.
    set(prefix "${CMAKE_SYSTEM_PROCESSOR}.")
    add_test(NAME ${prefix}${name} COMMAND ${name})
    set_tests_properties(${prefix}${name} PROPERTIES LABELS "${ARG_LABELS}")
  else()
    gtest_discover_tests(${name} TEST_PREFIX "${prefix}" PROPERTIES LABELS "${ARG_LABELS}" DISCOVERY_TIMEOUT 60)
  endif()
endfunction()

# uplink_fuzzer(NAME SOURCE DEPENDS targets...)
# A libFuzzer target (only with UPLINK_FUZZ), run for a few seconds by ctest under the "fuzz" label.
# A dictionary (libFuzzer's -dict= format: the tokens of the input's grammar) is
# fuzz_seeds/<name>.dict beside the target when there is one; bench/fuzz passes it too.
function(uplink_fuzzer name)
  if(NOT UPLINK_FUZZ)
    return()
  endif()
  cmake_parse_arguments(ARG "" "" "SOURCES;DEPENDS" ${ARGN})
  add_executable(${name} ${ARG_SOURCES})
  target_link_libraries(${name} PRIVATE ${ARG_DEPENDS})
  target_link_options(${name} PRIVATE -fsanitize=fuzzer)
  add_dependencies(fuzzers ${name})
  set(seconds $ENV{UPLINK_FUZZ_SECONDS})
  if(NOT seconds)
    set(seconds 10)
  endif()
  # Seeds (real replies and frames) in fuzz_seeds/<name>/ beside the target are read, never
  # written: libFuzzer writes what it finds into the first directory, one in the build tree.
  set(corpus)
  set(seeds ${CMAKE_CURRENT_SOURCE_DIR}/fuzz_seeds/${name})
  if(EXISTS ${seeds})
    file(MAKE_DIRECTORY ${CMAKE_CURRENT_BINARY_DIR}/${name}_corpus)
    set(corpus ${CMAKE_CURRENT_BINARY_DIR}/${name}_corpus ${seeds})
  endif()
  set(dictionary)
  if(EXISTS ${seeds}.dict)
    set(dictionary -dict=${seeds}.dict)
  endif()
  add_test(NAME ${name}
    COMMAND ${name} -max_total_time=${seconds} -rss_limit_mb=1024 ${dictionary} ${corpus})
  set_tests_properties(${name} PROPERTIES LABELS fuzz TIMEOUT 120)
endfunction()

# uplink_precompile_headers(): every C++ library and executable defined so far, in this directory
# and below, includes cmake/precompiled.hpp precompiled; GoogleTest binaries get gtest.h in it too.
# About a third of each file's compile time was those headers, parsed again for each file. The
# header is compiled once for libraries and programs and once for tests (a precompiled header
# is some 180 MB: one per target would cost more than it saves), by two targets whose flags and
# definitions are those of the targets that reuse them (-Winvalid-pch says when they are not).
function(uplink_precompile_headers)
  set(empty ${PROJECT_SOURCE_DIR}/cmake/precompiled.cpp)
  add_library(uplink_precompiled STATIC ${empty})
  target_link_libraries(uplink_precompiled PRIVATE fmt::fmt Boost::headers)
  target_precompile_headers(uplink_precompiled PRIVATE ${PROJECT_SOURCE_DIR}/cmake/precompiled.hpp)
  if(UPLINK_TESTS)
    add_library(uplink_precompiled_test STATIC ${empty})
    target_link_libraries(uplink_precompiled_test PRIVATE fmt::fmt Boost::headers GTest::gtest)
    target_precompile_headers(uplink_precompiled_test
      PRIVATE ${PROJECT_SOURCE_DIR}/cmake/precompiled.hpp <gtest/gtest.h>)
  endif()

  set(directories ${CMAKE_CURRENT_SOURCE_DIR})
  while(directories)
    list(POP_FRONT directories directory)
    get_property(children DIRECTORY ${directory} PROPERTY SUBDIRECTORIES)
    list(APPEND directories ${children})
    get_property(targets DIRECTORY ${directory} PROPERTY BUILDSYSTEM_TARGETS)
    foreach(target IN LISTS targets)
      get_target_property(type ${target} TYPE)
      get_target_property(disabled ${target} DISABLE_PRECOMPILE_HEADERS)
      # boost_json compiles Boost.JSON's sources alone, without fmt's definitions; a target in C
      # (tests/oracle) says DISABLE_PRECOMPILE_HEADERS.
      if(target MATCHES "^uplink_precompiled|^boost_json$" OR disabled
         OR (NOT type STREQUAL "STATIC_LIBRARY" AND NOT type STREQUAL "EXECUTABLE"))
        continue()
      endif()
      # A target whose definitions differ would silently parse the headers again: make it an error.
      target_compile_options(${target} PRIVATE -Winvalid-pch)
      get_target_property(libraries ${target} LINK_LIBRARIES)
      if("GTest::gtest" IN_LIST libraries)
        target_precompile_headers(${target} REUSE_FROM uplink_precompiled_test)
      else()
        target_precompile_headers(${target} REUSE_FROM uplink_precompiled)
      endif()
    endforeach()
  endwhile()
endfunction()

# uplink_npm_ci(DIRECTORY COMMENT): `npm ci` in DIRECTORY (the packages its package-lock.json
# pins) whenever package.json or the lock changes. Steps that need the packages depend on
# DIRECTORY/node_modules/.package-lock.json, which npm writes last. Node.js and npm are looked
# for here, so that a build without the web UI (UPLINK_MODULES) needs neither; UPLINK_NODE is
# set for the caller's own steps.
function(uplink_npm_ci directory comment)
  find_program(UPLINK_NODE node REQUIRED)
  find_program(UPLINK_NPM npm REQUIRED)
  add_custom_command(
    OUTPUT ${directory}/node_modules/.package-lock.json
    COMMAND ${UPLINK_NPM} ci --no-audit --no-fund --loglevel=error
    WORKING_DIRECTORY ${directory}
    DEPENDS ${directory}/package.json ${directory}/package-lock.json
    COMMENT "npm ci: ${comment}")
endfunction()
