// Helpers the config module's parsers share (crmsync.toml's sections and [export]): where a value
// came from and the error that names it. Internal to src/config.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include <toml++/toml.h>

#include "common/result.h"

namespace crmsync::config {

// A kConfig error whose message starts with where the value came from.
Error config_error(std::string code, const std::string& where, const std::string& message);

// A value as an error repeats it: in double quotes, with the credentials of a URL in it masked
// (mask_url_credentials), whichever key it was given for.
std::string shown_value(std::string_view value);

// "crmsync.toml:12" (the source name, and the line when the parser knows it).
std::string location_of(std::string_view source, const toml::source_region& region);

// An environment variable's boolean: true/false, 1/0, yes/no in any case; nullopt otherwise.
std::optional<bool> parse_bool(std::string_view text);

}  // namespace crmsync::config
