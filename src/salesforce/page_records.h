// The records array of a query page as a RecordsReader (client.h) receives it: simdjson On-Demand,
// valid only during the reader's call, read forward once. Kept out of client.h so that only the
// code that reads records needs simdjson's header.
#pragma once

#include <simdjson.h>

namespace crmsync::salesforce {

struct PageRecords {
  simdjson::ondemand::array array;
};

}  // namespace crmsync::salesforce
