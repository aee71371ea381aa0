# Debian packages from the same install rules (`cpack -G DEB` in the build folder):
#   mkvfleet-coordinator  mkv-coordinator, its unit, /etc/mkvfleet/coordinator.{toml,env} (conffiles)
#   mkvfleet-agent        mkv-agent, its unit, /etc/mkvfleet/agent.{toml,env} (conffiles); Depends on
#                         the media tools it drives
#   mkvfleet-ctl          mkvctl, its bash completion
# Three packages because the machines differ: the coordinator host needs no ffmpeg or x265, a
# transcoder VM no coordinator; mkvctl goes wherever an admin types. Each has its man page,
# /usr/share/doc/<package>/ (copyright, changelog, README, operations.md, examples) and maintainer
# scripts (deploy/debian/*.in: the system user, stop/disable on removal, state removed on purge).
# Man pages (help2man) and the completion script are generated from the built binaries.

set(MKVFLEET_PACKAGES coordinator agent ctl)
set(MKVFLEET_GENERATED ${PROJECT_BINARY_DIR}/generated-install)

# Man pages: help2man over each binary's --help and --version.
find_program(HELP2MAN help2man)
set(_man_pages)
foreach(pair "mkv-coordinator|coordinator|the mkvfleet coordinator: job table, gRPC and dashboard"
             "mkv-agent|agent|the mkvfleet agent: claims and runs conversion jobs"
             "mkvctl|ctl|administer an mkvfleet coordinator and inspect Dolby Vision files")
  string(REPLACE "|" ";" fields "${pair}")
  list(GET fields 0 bin)
  list(GET fields 1 component)
  list(GET fields 2 summary)
  if(NOT TARGET ${bin})
    continue()
  endif()
  if(HELP2MAN)
    set(page ${MKVFLEET_GENERATED}/man/${bin}.1.gz)
    add_custom_command(OUTPUT ${page}
      COMMAND ${CMAKE_COMMAND} -E make_directory ${MKVFLEET_GENERATED}/man
      COMMAND sh -c "\"$0\" --no-info --no-discard-stderr --name=\"$1\" \"$2\" | gzip -9n > \"$3\""
              ${HELP2MAN} ${summary} $<TARGET_FILE:${bin}> ${page}
      DEPENDS ${bin}
      COMMENT "man page for ${bin} (help2man)"
      VERBATIM)
    list(APPEND _man_pages ${page})
    install(FILES ${page} DESTINATION share/man/man1 COMPONENT ${component})
  endif()
endforeach()
if(HELP2MAN)
  add_custom_target(man_pages ALL DEPENDS ${_man_pages})
else()
  message(STATUS "help2man not found: no man pages (apt-get install help2man)")
endif()

# mkvctl's bash completion, printed by the built mkvctl itself.
if(TARGET mkvctl)
  set(completion ${MKVFLEET_GENERATED}/completion/mkvctl)
  add_custom_command(OUTPUT ${completion}
    COMMAND ${CMAKE_COMMAND} -E make_directory ${MKVFLEET_GENERATED}/completion
    COMMAND sh -c "\"$0\" completion bash > \"$1\"" $<TARGET_FILE:mkvctl> ${completion}
    DEPENDS mkvctl
    COMMENT "bash completion for mkvctl"
    VERBATIM)
  add_custom_target(mkvctl_completion ALL DEPENDS ${completion})
  install(FILES ${completion} DESTINATION share/bash-completion/completions COMPONENT ctl)
endif()

# Package-only files (EXCLUDE_FROM_ALL: `cmake --install` and deploy/install.sh keep their own
# layout, share/doc/mkvfleet and configs copied by the script).
set(_changelog ${MKVFLEET_GENERATED}/changelog.gz)
add_custom_command(OUTPUT ${_changelog}
  COMMAND sh -c "gzip -9n < \"$0\" > \"$1\"" ${PROJECT_SOURCE_DIR}/deploy/debian/changelog ${_changelog}
  DEPENDS ${PROJECT_SOURCE_DIR}/deploy/debian/changelog
  VERBATIM)
add_custom_target(debian_changelog ALL DEPENDS ${_changelog})
foreach(component ${MKVFLEET_PACKAGES})
  set(doc share/doc/mkvfleet-${component})
  install(FILES deploy/debian/copyright ${_changelog} README.md docs/operations.md
          DESTINATION ${doc} COMPONENT ${component} EXCLUDE_FROM_ALL)
endforeach()
foreach(component coordinator agent)
  install(FILES deploy/config/${component}.toml DESTINATION share/doc/mkvfleet-${component}/examples
          COMPONENT ${component} EXCLUDE_FROM_ALL)
  install(FILES deploy/config/${component}.toml DESTINATION /etc/mkvfleet
          COMPONENT ${component} EXCLUDE_FROM_ALL)
  install(FILES deploy/config/${component}.env DESTINATION /etc/mkvfleet
          PERMISSIONS OWNER_READ OWNER_WRITE COMPONENT ${component} EXCLUDE_FROM_ALL)
endforeach()

# Maintainer scripts and conffiles per daemon package.
foreach(component coordinator agent)
  set(PACKAGE mkvfleet-${component})
  set(UNIT mkv-${component}.service)
  set(CONFIG ${component}.toml)
  if(component STREQUAL "coordinator")
    set(STATE_DIR /var/lib/mkvfleet)
  else()
    set(STATE_DIR /var/lib/mkvfleet-agent)
  endif()
  set(dir ${MKVFLEET_GENERATED}/debian/${component})
  foreach(script postinst prerm postrm)
    configure_file(deploy/debian/${script}.in ${dir}/${script} @ONLY
                   FILE_PERMISSIONS OWNER_READ OWNER_WRITE OWNER_EXECUTE GROUP_READ GROUP_EXECUTE
                                    WORLD_READ WORLD_EXECUTE)
  endforeach()
  file(WRITE ${dir}/conffiles "/etc/mkvfleet/${component}.toml\n/etc/mkvfleet/${component}.env\n")
  string(TOUPPER ${component} C)
  set(CPACK_DEBIAN_${C}_PACKAGE_CONTROL_EXTRA
      "${dir}/postinst;${dir}/prerm;${dir}/postrm;${dir}/conffiles")
endforeach()

set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGE_NAME mkvfleet)
set(CPACK_PACKAGE_VENDOR "mkvfleet developers")
set(CPACK_PACKAGE_CONTACT "mkvfleet developers <mkvfleet-dev@example.org>")
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
set(CPACK_STRIP_FILES TRUE)
set(CPACK_DEB_COMPONENT_INSTALL ON)
set(CPACK_COMPONENTS_ALL ${MKVFLEET_PACKAGES})
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
set(CPACK_DEBIAN_PACKAGE_SECTION video)
set(CPACK_DEBIAN_PACKAGE_PRIORITY optional)
set(CPACK_DEBIAN_PACKAGE_CONTROL_STRICT_PERMISSION TRUE)
set(CPACK_DEBIAN_COORDINATOR_PACKAGE_NAME mkvfleet-coordinator)
set(CPACK_DEBIAN_AGENT_PACKAGE_NAME mkvfleet-agent)
set(CPACK_DEBIAN_CTL_PACKAGE_NAME mkvfleet-ctl)
set(CPACK_DEBIAN_COORDINATOR_PACKAGE_DEPENDS "adduser")
set(CPACK_DEBIAN_AGENT_PACKAGE_DEPENDS "adduser, ffmpeg, x265, mkvtoolnix, mediainfo")
set(CPACK_DEBIAN_CTL_PACKAGE_RECOMMENDS "ffmpeg, x265, mkvtoolnix")
# Synopsis, then the extended description (lines under 80 characters; CPack indents them).
set(CPACK_COMPONENT_COORDINATOR_DESCRIPTION [=[
mkvfleet coordinator: Dolby Vision profile 7 to 8.1 job queue
The coordinator owns the job table (SQLite), serves the agents and mkvctl
over gRPC, and the web dashboard. Configure /etc/mkvfleet/coordinator.toml,
then run: systemctl enable --now mkv-coordinator]=])
set(CPACK_COMPONENT_AGENT_DESCRIPTION [=[
mkvfleet agent: converts Dolby Vision profile 7 titles to profile 8.1
One agent per transcoder machine claims jobs from the coordinator and runs
them with ffmpeg, x265 and mkvmerge. Configure /etc/mkvfleet/agent.toml,
then run: systemctl enable --now mkv-agent]=])
set(CPACK_COMPONENT_CTL_DESCRIPTION [=[
mkvfleet command line: enqueue, scan, list, reset; Dolby Vision tools
mkvctl administers an mkvfleet coordinator and inspects, converts, analyses
and plots Dolby Vision files offline.]=])
include(CPack)
