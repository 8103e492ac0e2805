# Writes the compiled XDP program (INPUT) as a C++ byte array (OUTPUT), so that dnsd carries
# it and needs no file at run time. Run as: cmake -DINPUT=... -DOUTPUT=... -P embed.cmake
file(READ "${INPUT}" hex HEX)
string(REGEX REPLACE "([0-9a-f][0-9a-f])" "0x\\1," bytes "${hex}")
file(WRITE "${OUTPUT}"
  "// Generated from filter.bpf.c by dnsd/xdp/embed.cmake; do not edit.\n"
  "#include \"dnsd/xdp/filter_object.hh\"\n"
  "namespace dnsd::xdp {\n"
  "const unsigned char k_filter_object[] = {${bytes}};\n"
  "const std::size_t k_filter_object_size = sizeof(k_filter_object);\n"
  "}  // namespace dnsd::xdp\n")
