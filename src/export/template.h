// Subject and Description templates: "{title}"-style placeholders (config::kExportPlaceholders)
// filled from an activity. A line whose placeholders all come out empty is dropped, so
// "Recording: {recording_url}" disappears for an activity without a recording; blank lines at
// either end are trimmed. "{{" and "}}" are literal braces. Templates were checked when the
// configuration was loaded (config::check_template); an unknown placeholder here renders empty.
#pragma once

#include <map>
#include <string>
#include <string_view>

#include "export/activity.h"

namespace crmsync::exports {

using TemplateValues = std::map<std::string, std::string, std::less<>>;

// The value of every placeholder for one activity.
TemplateValues template_values(const Activity& activity);

std::string render_template(std::string_view text, const TemplateValues& values);

// "45s", "12m 05s", "1h 02m".
std::string format_duration(std::int64_t seconds);

}  // namespace crmsync::exports
