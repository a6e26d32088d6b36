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
# A GoogleTest binary registered with ctest, test by test.
function(uplink_test name)
  if(NOT UPLINK_TESTS)
    return()
  endif()
  cmake_parse_arguments(ARG "" "" "SOURCES;DEPENDS;LABELS" ${ARGN})
  add_executable(${name} ${ARG_SOURCES})
  target_link_libraries(${name} PRIVATE ${ARG_DEPENDS} GTest::gtest GTest::gtest_main GTest::gmock)
  if(NOT ARG_LABELS)
    set(ARG_LABELS unit)
  endif()
  # The sanitizer tree's tests carry a prefix so that one ctest run over every tree
  # (scripts/test) reports them apart from the release tree's.
  set(prefix "")
  if(UPLINK_SANITIZE)
    set(prefix "asan.")
  endif()
  gtest_discover_tests(${name} TEST_PREFIX "${prefix}" PROPERTIES LABELS "${ARG_LABELS}" DISCOVERY_TIMEOUT 60)
endfunction()

# uplink_fuzzer(NAME SOURCE DEPENDS targets...)
# A libFuzzer target (only with UPLINK_FUZZ), run for a few seconds by ctest under the "fuzz" label.
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
  add_test(NAME ${name} COMMAND ${name} -max_total_time=${seconds} -rss_limit_mb=1024)
  set_tests_properties(${name} PROPERTIES LABELS fuzz TIMEOUT 120)
endfunction()
