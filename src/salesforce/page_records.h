// The records array of a query page as a RecordsReader (client.h) receives it: simdjson On-Demand,
// valid only during the reader's call, read forward once. Kept out of client.h so that only the
// code that reads records needs simdjson's header.
#pragma once

#include <simdjson.h>

#include <string_view>

namespace crmsync::salesforce {

struct PageRecords {
  simdjson::ondemand::array array;
  // The page's nextRecordsUrl when the body gave it before "records" (Salesforce and the emulator
  // both do), else empty: what Client::read_ahead() wants before the records are read.
  std::string_view next_records_url;
};

}  // namespace crmsync::salesforce
