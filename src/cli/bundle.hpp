// The files of `uplink debug <id> --bundle FILE`, made from the API's debug document
// (GET /v1/modems/<id>/debug), each readable without uplink: text as the CLI prints it, JSON
// indented. They hold only what the daemon sent, which has no PIN, PUK or password in it.
#pragma once

#include "cli/archive.hpp"

#include <boost/json/value.hpp>
#include <vector>

namespace uplink::cli {

// Every file in one directory, "uplink-debug-<modem id>/", so that extracting the archive
// leaves one directory.
std::vector<ArchiveFile> bundle_files(const boost::json::value& debug);

} // namespace uplink::cli
