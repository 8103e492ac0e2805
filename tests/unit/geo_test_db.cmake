# A tiny GeoIP2-format database for the unit tests, written by tests/support/mmdb_writer.py:
#   10.0.0.0/8 EU/DE, 10.1.0.0/16 EU/DE/BY, 10.2.0.0/16 EU/FR, 10.3.0.0/16 NA/US/CA,
#   10.4.0.0/16 AS/JP, 2001:db8::/32 NA/US/NY
find_package(Python3 3.9 REQUIRED COMPONENTS Interpreter)
set(DNSD_GEO_TEST_DB ${CMAKE_BINARY_DIR}/tests/unit/geo-test.mmdb)
add_custom_command(
  OUTPUT ${DNSD_GEO_TEST_DB}
  COMMAND ${Python3_EXECUTABLE} ${PROJECT_SOURCE_DIR}/tests/support/mmdb_writer.py ${DNSD_GEO_TEST_DB}
          10.0.0.0/8=EU/DE 10.1.0.0/16=EU/DE/BY 10.2.0.0/16=EU/FR 10.3.0.0/16=NA/US/CA
          10.4.0.0/16=AS/JP 2001:db8::/32=NA/US/NY
  DEPENDS ${PROJECT_SOURCE_DIR}/tests/support/mmdb_writer.py
  COMMENT "Writing the test GeoIP database")
add_custom_target(geo_test_db DEPENDS ${DNSD_GEO_TEST_DB})
