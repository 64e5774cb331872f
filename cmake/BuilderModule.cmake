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
  # Helpers shared by several modules' tests live in tests/support/.
  target_include_directories(${name}_tests PRIVATE "${PROJECT_SOURCE_DIR}/tests")
  target_compile_definitions(${name}_tests PRIVATE
    BUILDER_CONFORMANCE_DIR="${BUILDER_CONFORMANCE_DIR}"
    BUILDER_TESTDATA_DIR="${PROJECT_SOURCE_DIR}/testdata")
  include(doctest)
  doctest_discover_tests(${name}_tests TEST_PREFIX "${name}/" PROPERTIES LABELS unit)
endfunction()

# The module arrows, enforced: a src/<m>/ file may include "<x>/..." only for x = m or a module
# that builder_<m> names in its target_link_libraries (directly, PUBLIC or PRIVATE). Every module
# shares the include root src/, so without this check a transitive link would let any arrow slip.
function(builder_check_arrows)
  file(GLOB _dirs LIST_DIRECTORIES true "${PROJECT_SOURCE_DIR}/src/*")
  set(_modules "")
  foreach(_dir IN LISTS _dirs)
    if(IS_DIRECTORY "${_dir}")
      get_filename_component(_m "${_dir}" NAME)
      list(APPEND _modules "${_m}")
    endif()
  endforeach()
  foreach(_m IN LISTS _modules)
    if(NOT TARGET builder_${_m})
      continue()
    endif()
    get_target_property(_links builder_${_m} LINK_LIBRARIES)
    set(_allowed "${_m}")
    foreach(_l IN LISTS _links)
      if(_l MATCHES "^builder::(.+)$")
        list(APPEND _allowed "${CMAKE_MATCH_1}")
      endif()
    endforeach()
    file(GLOB_RECURSE _files CONFIGURE_DEPENDS "${PROJECT_SOURCE_DIR}/src/${_m}/*.h" "${PROJECT_SOURCE_DIR}/src/${_m}/*.cc")
    foreach(_f IN LISTS _files)
      file(STRINGS "${_f}" _includes REGEX "^#include \"[a-z_]+/")
      foreach(_inc IN LISTS _includes)
        string(REGEX REPLACE "^#include \"([a-z_]+)/.*" "\\1" _x "${_inc}")
        if(_x IN_LIST _modules AND NOT _x IN_LIST _allowed)
          file(RELATIVE_PATH _rel "${PROJECT_SOURCE_DIR}" "${_f}")
          message(FATAL_ERROR "${_rel} includes ${_x}/, but builder_${_m} does not link builder::${_x} "
                              "(module arrows: see DESIGN.md)")
        endif()
      endforeach()
    endforeach()
  endforeach()
endfunction()
