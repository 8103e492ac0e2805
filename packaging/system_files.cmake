# Run by `cmake --install` (install(SCRIPT) in packaging/CMakeLists.txt): the files whose place
# depends on the prefix given at install time (`--prefix`), decided as GNUInstallDirs does:
# with prefix /usr the config goes to /etc/dnsd and the unit to /lib/systemd/system (where
# Debian 12 puts knot's and nsd's); with any other prefix both stay under it.
# In: dnsd_source_dir (packaging/), dnsd_binary_dir (its build directory), dnsd_unit_source
# (conf/dnsd.service), dnsd_unit_dir (empty: decided here), dnsd_sbindir and dnsd_docdir
# (relative to the prefix).
if(CMAKE_INSTALL_PREFIX STREQUAL "/usr")
  set(config_dir /etc/dnsd)
  set(unit_dir /lib/systemd/system)
else()
  set(config_dir ${CMAKE_INSTALL_PREFIX}/etc/dnsd)
  set(unit_dir ${CMAKE_INSTALL_PREFIX}/lib/systemd/system)
endif()
if(dnsd_unit_dir)
  set(unit_dir ${dnsd_unit_dir})
endif()

# The unit names this install's program and config, and the manual pages as documentation.
file(READ ${dnsd_unit_source} unit)
string(REPLACE "/usr/sbin/dnsd" "${CMAKE_INSTALL_PREFIX}/${dnsd_sbindir}/dnsd" unit "${unit}")
string(REPLACE "/etc/dnsd/" "${config_dir}/" unit "${unit}")
string(REPLACE "Documentation=file:///usr/share/doc/dnsd/README.md"
               "Documentation=man:dnsd(8) man:dnsd.toml(5) file://${CMAKE_INSTALL_PREFIX}/${dnsd_docdir}/README.md"
               unit "${unit}")
set(staged ${dnsd_binary_dir}/dnsd.service.staged/dnsd.service)
file(WRITE ${staged} "${unit}")
file(INSTALL DESTINATION ${unit_dir} TYPE FILE PERMISSIONS OWNER_READ OWNER_WRITE GROUP_READ WORLD_READ
     FILES ${staged})

# The example config: a package ships it as a conffile (dpkg keeps an edited one on upgrade);
# `cmake --install` never overwrites an existing one (an operator's config).
if(EXISTS "$ENV{DESTDIR}${config_dir}/dnsd.toml")
  message(STATUS "Keeping: $ENV{DESTDIR}${config_dir}/dnsd.toml (the example is in "
                 "${CMAKE_INSTALL_PREFIX}/${dnsd_docdir}/examples)")
else()
  file(INSTALL DESTINATION ${config_dir} TYPE FILE PERMISSIONS OWNER_READ OWNER_WRITE GROUP_READ WORLD_READ
       FILES ${dnsd_source_dir}/dnsd.toml)
endif()
