# shoal_write_if_changed(FILE CONTENT): writes CONTENT to FILE only when the file does not hold
# exactly that already, so a configure that produces the same text leaves the file (and its
# mtime) alone and nothing that compiles it is rebuilt or relinked. Use it for every file the
# configure step generates; file(WRITE) / file(APPEND) would touch the file on every configure
# (tests/tooling checks the sources for them).
function(shoal_write_if_changed file content)
  if(EXISTS "${file}")
    file(READ "${file}" _old)
    if(_old STREQUAL content)
      return()
    endif()
  endif()
  get_filename_component(_dir "${file}" DIRECTORY)
  file(MAKE_DIRECTORY "${_dir}")
  file(WRITE "${file}" "${content}")  # the one file(WRITE): only when the content changed
endfunction()
