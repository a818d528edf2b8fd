#pragma once

// The names of the checks, for --ignore-preflight-errors and its configuration key, which are validated
// before anything runs.

#include <optional>
#include <string>
#include <string_view>

namespace sb::check {

// The check's own spelling of NAME, matched case-insensitively ("clockskew" -> "ClockSkew"), or "all";
// nullopt for a name that is no check.
std::optional<std::string> canonical_check_name(std::string_view name);

// "EngineVersion, VersionGap, ..." for error messages.
std::string check_names_text();

}  // namespace sb::check
