#pragma once

// The Engine API's timestamps: Go's RFC 3339 with nanoseconds ("2026-12-04T18:55:04.662221881Z"; /info's
// SystemTime carries the daemon's zone, "+01:00"). Parsed so that two times written by the same engine can be
// compared; the agent's own clock never enters that comparison.

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

namespace sb {

using EngineTime = std::chrono::sys_time<std::chrono::nanoseconds>;

// Empty for anything that is not such a time, and for times before 1970 (Go's zero time, 0001-01-01, means
// "not set").
std::optional<EngineTime> parse_engine_time(std::string_view text);

// As the engine writes it, in UTC: "2026-12-04T18:55:04.662221881Z".
std::string format_engine_time(EngineTime t);

}  // namespace sb
