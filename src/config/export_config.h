// The [export] tables of crmsync.toml, parsed and validated apart from the rest of config.cpp.
// Internal to src/config (the structs are in config.h).
#pragma once

#include <string_view>

#include <toml++/toml.h>

#include "config/config.h"

namespace crmsync::config {

// Applies the [export] node (with its [export.call|meeting|invite|fields] sub-tables).
Status apply_export_section(const toml::node& node, std::string_view source, ExportConfig& out);
// CRMSYNC_EXPORT_<KEY>, CRMSYNC_EXPORT_<KIND>_<KEY>, CRMSYNC_EXPORT_FIELDS_<ATTRIBUTE>.
Status apply_export_env(ExportConfig& out, const EnvLookup& env);
// Values: `as`, the window, field names, template placeholders, record types.
Status validate_export(const ExportConfig& config, std::string_view source);

// Checks a template's braces and placeholders; the message names `label` and the fix.
Status check_template(std::string_view text, const std::string& label);

}  // namespace crmsync::config
