# Helpers that give every src/ folder the same shape: one static library, public include root src/.
function(builder_module name)
  file(GLOB _srcs CONFIGURE_DEPENDS "${CMAKE_CURRENT_SOURCE_DIR}/*.cc")
  if(NOT _srcs)
    # A module whose first sources have not landed yet: nothing to build or link.
    message(STATUS "module ${name}: no sources yet")
    return()
  endif()
  add_library(builder_${name} STATIC ${_srcs})
  target_include_directories(builder_${name} PUBLIC "${PROJECT_SOURCE_DIR}/src")
  add_library(builder::${name} ALIAS builder_${name})
endfunction()

# One doctest executable per module's test folder, registered with ctest case by case.
function(builder_module_tests name)
  file(GLOB _srcs CONFIGURE_DEPENDS "${CMAKE_CURRENT_SOURCE_DIR}/*_test.cc")
  add_executable(${name}_tests ${PROJECT_SOURCE_DIR}/tests/doctest_main.cc ${_srcs})
  target_link_libraries(${name}_tests PRIVATE ${ARGN} doctest::doctest)
  # Test code is compiled at BUILDER_TEST_OPT (see the top CMakeLists.txt): -O2 on doctest's
  # expanded assertions about doubled the test sources' CPU time.
  if(NOT CMAKE_BUILD_TYPE STREQUAL "Debug")
    target_compile_options(${name}_tests PRIVATE ${BUILDER_TEST_OPT})
  endif()
  # Helpers shared by several modules' tests live in tests/support/.
  target_include_directories(${name}_tests PRIVATE "${PROJECT_SOURCE_DIR}/tests")
  target_compile_definitions(${name}_tests PRIVATE
    BUILDER_CONFORMANCE_DIR="${BUILDER_CONFORMANCE_DIR}"
    BUILDER_TESTDATA_DIR="${PROJECT_SOURCE_DIR}/testdata")
  include(doctest)
  # 77: every test case run skipped itself, its conformance corpus missing (tests/doctest_main.cc).
  doctest_discover_tests(${name}_tests TEST_PREFIX "${name}/"
                         PROPERTIES LABELS unit SKIP_RETURN_CODE 77)
endfunction()
