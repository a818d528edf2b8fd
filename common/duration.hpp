#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

namespace sb {

using Duration = std::chrono::milliseconds;

// Parses Go-style durations as the docker CLI writes them: "90s", "15m", "1m30s", "250ms", "2h".
// A bare number is rejected: "30" could mean seconds or minutes.
std::optional<Duration> parse_duration(std::string_view text);

// "14m12s", "3.2s", "250ms": short and unambiguous, for progress lines.
std::string format_duration(Duration d);

}  // namespace sb
