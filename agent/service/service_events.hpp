#pragma once

// Which log lines of a service are events for the operating system's event log (the Windows Event Log): an
// operator reads those to see what the agent did, not how its waits progress.

#include <string_view>

#include <spdlog/common.h>

namespace sb::service {

// Warnings and errors of every phase, and the information lines of every phase except the ones that report
// the progress of a wait (preflight, wait-manager, verify), which would add an event at every backoff step.
bool is_event(spdlog::level::level_enum level, std::string_view phase);

// An output that passes only events to `inner`, formatted "[phase] message": the event log keeps its own time
// and level, and the text/json choice of the other outputs does not apply to it.
spdlog::sink_ptr event_filter_sink(spdlog::sink_ptr inner);

}  // namespace sb::service
