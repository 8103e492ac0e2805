// curl's global init, with memory callbacks that wipe every block curl frees: curl copies the
// request headers (Authorization values) into buffers of its own at each probe, and would hand
// them back to malloc as they are. Not on the query path: probes only.
#pragma once

namespace probe {

// Loads libcurl (service/libcurl.hh) and runs curl_global_init_mem once per process, before the
// first easy handle; later calls do nothing. False when libcurl could not be loaded
// (service::libcurl::error() says why).
bool init_curl_with_wiping_memory();

}  // namespace probe
