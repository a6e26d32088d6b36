# cmake -DINPUT=<file> -DOUTPUT=<file.cpp> -DSYMBOL=<function> -P embed.cmake
# Writes a .cpp whose function returns the input file's text (the vendor table, built into uplinkd).
file(READ "${INPUT}" text)
string(FIND "${text}" ")uplink_embed\"" clash)
if(NOT clash EQUAL -1)
  message(FATAL_ERROR "${INPUT} contains the raw-string delimiter")
endif()
file(WRITE "${OUTPUT}.tmp"
  "// Generated from ${INPUT} by src/modem/embed.cmake. Do not edit.\n"
  "#include <string_view>\n\n"
  "namespace uplink::modem {\n\n"
  "std::string_view ${SYMBOL}()\n{\n"
  "    static constexpr std::string_view text = R\"uplink_embed(${text})uplink_embed\";\n"
  "    return text;\n}\n\n"
  "} // namespace uplink::modem\n")
file(COPY_FILE "${OUTPUT}.tmp" "${OUTPUT}" ONLY_IF_DIFFERENT)
file(REMOVE "${OUTPUT}.tmp")
